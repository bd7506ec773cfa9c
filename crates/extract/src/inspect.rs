//! SVG debug view of one page (being written).
