"""The published portal dataset: public fields only, gated, swapped in atomically."""
