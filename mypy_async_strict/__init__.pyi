# What checked programs see of the package: the annotations, not the plugin (whose modules
# import mypy; following them would make every build that uses mocks type-check mypy).
from mypy_async_strict.mocks import (
    AsyncMockOf as AsyncMockOf,
)
from mypy_async_strict.mocks import (
    MagicMockOf as MagicMockOf,
)
from mypy_async_strict.mocks import (
    MockOf as MockOf,
)
from mypy_async_strict.mocks import (
    NonCallableMagicMockOf as NonCallableMagicMockOf,
)
from mypy_async_strict.mocks import (
    NonCallableMockOf as NonCallableMockOf,
)
from mypy_async_strict.mocks import (
    PropertyMockOf as PropertyMockOf,
)

__version__: str

def plugin(version: str) -> type: ...
