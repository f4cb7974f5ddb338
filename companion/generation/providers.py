"""Generator registry: a provider name maps to a factory. Optional SDKs load only when chosen."""

from __future__ import annotations

from collections.abc import Callable

from companion.config import Settings
from companion.generation.base import Generator

GeneratorFactory = Callable[[Settings], Generator]


def _offline(settings: Settings) -> Generator:
    from companion.generation.offline import OfflineComposer

    return OfflineComposer()


def _openai(settings: Settings) -> Generator:
    try:
        from companion.generation.llm import OpenAIGenerator
    except ImportError as exc:  # pragma: no cover - langchain-openai is a hard dependency today
        raise ProviderError(
            f"the 'openai' provider needs langchain-openai ({exc}); pip install 'mentor-companion'"
        ) from exc
    return OpenAIGenerator(settings)


PROVIDERS: dict[str, GeneratorFactory] = {"offline": _offline, "openai": _openai}


class ProviderError(ValueError):
    """An unknown provider, or one whose SDK is missing; the message lists what is available."""


def create_generator(settings: Settings) -> Generator:
    factory = PROVIDERS.get(settings.llm_provider)
    if factory is None:
        raise ProviderError(
            f"unknown LLM provider {settings.llm_provider!r}; available: {', '.join(sorted(PROVIDERS))}"
        )
    return factory(settings)
