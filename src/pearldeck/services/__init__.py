"""The services behind the façade (`pearldeck.collection`): one job each, no I/O of their own."""
