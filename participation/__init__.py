"""Taking part: a public page and request form; editors turn a request into an invitation."""
