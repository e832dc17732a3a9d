"""The embedded Argilla platform: the launcher (``launcher``), the child-process entry points
(``process``), and the SQL search engine plugin (``search_engine``)."""
