"""The web console: pages over the service, and the state machine graph laid out and drawn as SVG."""
