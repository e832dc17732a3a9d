"""The embedded Argilla platform: the launcher (``launcher``), the child-process entry points
(``process``), the SQL search engine plugin (``search_engine``), and the times the demo's
simulated answers get in the server's database (``backdate``)."""
