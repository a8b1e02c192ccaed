"""One module per claim of the paper (arXiv 2408.03459v5). The concordance (README) maps each
claim id to its paper location and module; `dpoverify list` prints it."""
