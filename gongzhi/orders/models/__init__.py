"""Order-mode models, one module per subject; Django finds them through these imports."""
