"""Settings for the property tests of the tools.

Hypothesis fails an example that takes longer than its deadline (200 ms by
default). That is a timing, not a property: on a busy machine it fails tests
whose code is right. Each example still runs under pytest-timeout's limit.
"""

from hypothesis import settings

settings.register_profile("guide", deadline=None)
settings.load_profile("guide")
