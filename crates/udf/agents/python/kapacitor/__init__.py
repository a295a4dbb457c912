"""tickflow's drop-in for the ``kapacitor`` Python package of Kapacitor's UDF agent."""
