//! Candle PINN/DGM trainer (work in progress).
