"""Evidence files: documents a province attaches to a task, stored once by content, audited."""
