"""Training: the engine loop, losses, batch sampling, history, checkpoints and sample grids."""
