"""``workbench export``: accepted labels become a training-ready, versioned, signed dataset.

The rules (final labels, filters, splits, formats, hashes) are the functional core's
(``workbench.analytics``: final_labels, selection, splits, training_formats, dataset_hash,
export_diff); this package is the shell around them:

* :mod:`~workbench.export.build` reads the history store and plans the rows of each split;
* :mod:`~workbench.export.folder` writes them (Parquet in the Hub's layout, card, manifest) and
  checks a folder against its manifest;
* :mod:`~workbench.export.registry` remembers every version made and the holdout's units.

See docs/export.md.
"""
