//! Table finding: segments + text boxes → edges → intersections → cells → tables (being written).
