"""App settings and secret sources: the config file, credentials, the keystore."""
