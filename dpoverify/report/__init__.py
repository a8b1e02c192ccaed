"""``dpoverify report``: the verification report a reader looks at.

load (find and validate the JSON inputs) -> sections (verdict_table, trajectories, scaling,
audit_section, provenance; each a :class:`doc.Section`) -> html (one self-contained page) and
markdown (a twin with PNG files beside it). build ties them together.
"""
