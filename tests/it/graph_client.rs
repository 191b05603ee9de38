//! Tests of the graph_client part.
