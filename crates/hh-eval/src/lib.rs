//! Metrics, tables, plots and the convergence report (work in progress).
