"""Start llama-cpp-python's OpenAI-compatible server with ggml's extra CPU buffer types turned off.

Same command line as `python -m llama_cpp.server`. Some virtual machines advertise Intel AMX
in CPUID without letting a process use it, and ggml's AMX matrix multiply then dies with a
general-protection fault on the first request. Turning the extra buffer types (AMX, repack)
off keeps the plain CPU kernels, which every x86-64 machine runs; the 135M test model is
fast enough either way.
"""

from __future__ import annotations

import llama_cpp.llama_cpp as llama_cpp_lib
from llama_cpp.server.__main__ import main

_default_model_params = llama_cpp_lib.llama_model_default_params


def _model_params_without_extra_buffers() -> llama_cpp_lib.llama_model_params:
    params = _default_model_params()
    params.use_extra_bufts = False
    return params


if __name__ == "__main__":
    llama_cpp_lib.llama_model_default_params = _model_params_without_extra_buffers
    main()
