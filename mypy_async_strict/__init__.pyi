# What checked programs see of the package: the annotations, not the plugin (whose modules
# import mypy; following them would make every build that uses mocks type-check mypy).
from mypy_async_strict.mocks import (
    AsyncMockOf as AsyncMockOf,
    MagicMockOf as MagicMockOf,
    MockOf as MockOf,
    NonCallableMagicMockOf as NonCallableMagicMockOf,
    NonCallableMockOf as NonCallableMockOf,
    PropertyMockOf as PropertyMockOf,
)

__version__: str

def plugin(version: str) -> type: ...
