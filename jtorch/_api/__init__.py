"""The public torch-shaped functions and Tensor methods, each registered once (see _register)."""
