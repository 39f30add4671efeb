"""What users read, worded per language at the edge: the core raises codes with fields, this floor words them."""
