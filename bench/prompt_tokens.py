"""Prompt tokens per task on the LLM path, against the agenda budget of 2,500 prompt tokens.

Builds the exact messages `OpenAIGenerator` would send (real retrieval over the shipped
knowledge, the default context budget, fenced data) and counts their tokens: with the
endpoint's own `usage.prompt_tokens` when an OpenAI-compatible server is reachable (one
1-token completion per task), else with the offline chars/4 heuristic. Says which it used.

    python bench/prompt_tokens.py                                   # heuristic
    python bench/prompt_tokens.py --base-url http://127.0.0.1:8080/v1   # e.g. llama_cpp.server
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import httpx
import yaml

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from companion.config import Settings
from companion.generation.base import Audience
from companion.generation.llm import OpenAIGenerator
from companion.generation.prompts import estimate_tokens
from companion.generation.taskspec import task_spec
from companion.schemas import TASKS, MentoringContext
from companion.service import Companion

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_CONTEXT = REPO / "examples" / "context.yaml"
BUDGETS = {"agenda": 2500}


def load_context() -> tuple[MentoringContext, str]:
    """The shipped sample context, the one the README and the CLI tests use."""
    data = yaml.safe_load(EXAMPLE_CONTEXT.read_text(encoding="utf-8"))
    return MentoringContext.model_validate(data), str(EXAMPLE_CONTEXT.relative_to(REPO))


def server_is_reachable(base_url: str) -> bool:
    try:
        return httpx.get(f"{base_url.rstrip('/')}/models", timeout=3.0).status_code == 200
    except httpx.HTTPError:
        return False


def count_with_server(base_url: str, model: str, system: str, user: str) -> int:
    """The endpoint's own count, chat template included: a 1-token completion of the same messages."""
    from openai import OpenAI

    client = OpenAI(base_url=base_url, api_key=os.environ.get("OPENAI_API_KEY") or "not-needed", timeout=300)
    response = client.chat.completions.create(
        model=model,
        messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
        max_tokens=1,
        temperature=0,
    )
    if response.usage is None:
        raise RuntimeError("the endpoint reported no usage")
    return response.usage.prompt_tokens


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--base-url", default=os.environ.get("COMPANION_LLM_BASE_URL"), help="OpenAI-compatible /v1 URL"
    )
    parser.add_argument("--model", default=os.environ.get("COMPANION_LLM_MODEL", "local"), help="model name to send")
    parser.add_argument("--data-dir", type=Path, help="an already indexed data dir (default: index into a temp dir)")
    args = parser.parse_args()

    context, context_source = load_context()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="companion-bench-"))
    settings = Settings(_env_file=None, data_dir=data_dir, llm_provider="openai", llm_base_url=args.base_url)  # type: ignore[call-arg]
    companion = Companion(settings)
    if args.data_dir is None:
        companion.ingest_shipped_knowledge()
    generator = OpenAIGenerator(settings)
    use_server = bool(args.base_url) and server_is_reachable(args.base_url)
    counted_by = f"endpoint usage.prompt_tokens ({args.base_url})" if use_server else "heuristic: characters / 4"

    print(f"Prompt tokens per task on the LLM path ({context_source}; reference budget {settings.llm_context_tokens})")
    print(f"Counted by: {counted_by}")
    print()
    print(f"| {'task':<12} | chunks shown | prompt tokens | budget | within |")
    print(f"| {'-' * 12} | ------------ | ------------- | ------ | ------ |")
    over_budget = False
    audience = Audience(mentor_name=context.mentor.name)
    for task in TASKS:
        retrieved = task_spec(task).retrieve(context, companion.retriever, audience)
        prompt = generator.prepare(task, context, retrieved)
        system, user = (str(message.content) for message in prompt.messages)
        tokens = (
            count_with_server(args.base_url, args.model, system, user) if use_server else estimate_tokens(system + user)
        )
        budget = BUDGETS.get(task)
        within = "-" if budget is None else ("yes" if tokens <= budget else "NO")
        over_budget |= within == "NO"
        shown = f"{len(prompt.citable)} of {len(retrieved.all)}"
        print(f"| {task:<12} | {shown:>12} | {tokens:>13} | {budget or '-':>6} | {within:>6} |")
    return 1 if over_budget else 0


if __name__ == "__main__":
    sys.exit(main())
