"""Small helpers for sequence models, each built by hand in a notebook first.

- :class:`CharVocab` maps characters to integer ids and back (notebook 10 writes one);
- :func:`sample_next` draws the next token from logits with a temperature and top-k
  (notebook 10 writes temperature sampling, 13 adds top-k);
- :func:`random_windows` cuts random (input, next-token target) windows out of a long
  1-D token tensor, the batches of a language model (notebook 13);
- :func:`plot_attention` draws an attention matrix as a heatmap with token labels
  (notebooks 12 and 13).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import torch
from matplotlib.axes import Axes
from torch import Tensor

from ._args import check_real, check_whole


class CharVocab:
    """A character vocabulary: ``itos[i]`` is the character with id ``i``, ``stoi`` the inverse.

    Built from a text (or several), the characters sorted, any ``specials`` (for example
    ``"."``, a name's start and end marker) first.

    Example::

        vocab = CharVocab(["emma", "ava"], specials=".")
        vocab.itos                  # ['.', 'a', 'e', 'm', 'v']
        vocab.encode(".ava.")       # tensor([0, 1, 4, 1, 0])
        vocab.decode([2, 3, 3, 1])  # 'emma'
    """

    def __init__(self, texts: str | Iterable[str], *, specials: Sequence[str] = ()) -> None:
        if isinstance(texts, str):
            texts = [texts]
        seen: set[str] = set()
        for text in texts:
            if not isinstance(text, str):
                raise TypeError(f"CharVocab needs strings, got {type(text).__name__} ({text!r:.40}).")
            seen.update(text)
        specials = list(specials)
        if any(not isinstance(s, str) or len(s) != 1 for s in specials) or len(set(specials)) < len(specials):
            raise ValueError(f"specials must be distinct single characters, got {specials!r}.")
        self.itos: list[str] = specials + sorted(seen - set(specials))
        if not self.itos:
            raise ValueError("CharVocab got no characters: pass at least one non-empty text.")
        self.stoi: dict[str, int] = {char: index for index, char in enumerate(self.itos)}

    def __len__(self) -> int:
        return len(self.itos)

    def __repr__(self) -> str:
        return f"CharVocab({len(self)} characters: {''.join(self.itos)!r:.60})"

    def encode(self, text: str) -> Tensor:
        """Return the ids of ``text`` as a 1-D int64 tensor; unknown characters raise ``ValueError``."""
        if not isinstance(text, str):
            raise TypeError(f"encode needs a string, got {type(text).__name__}.")
        unknown = sorted(set(text) - self.stoi.keys())
        if unknown:
            raise ValueError(f"{''.join(unknown)!r} not in this vocabulary of {len(self)} characters; "
                             "build the vocabulary from text that contains them.")
        return torch.tensor([self.stoi[char] for char in text], dtype=torch.long)

    def decode(self, ids: Tensor | Iterable[int]) -> str:
        """Return the characters of a sequence of ids (a 1-D tensor or any iterable of ints)."""
        values = ids.tolist() if isinstance(ids, Tensor) else list(ids)
        if isinstance(ids, Tensor) and ids.dim() != 1:
            raise ValueError(f"decode needs a 1-D sequence of ids, got shape {tuple(ids.shape)}.")
        bad = [v for v in values if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v < len(self)]
        if bad:
            raise ValueError(f"ids must be whole numbers from 0 to {len(self) - 1}, got {bad[0]!r}.")
        return "".join(self.itos[v] for v in values)


def sample_next(logits: Tensor, *, temperature: float = 1.0, top_k: int | None = None,
                generator: torch.Generator | None = None) -> Tensor:
    """Draw one token id per row of ``logits`` (shape ``(V,)`` or ``(B, V)``).

    The logits are divided by ``temperature`` (below 1 sharpens the distribution, above 1
    flattens it; 0 means greedy, the argmax), then, with ``top_k``, all but the k largest
    are removed before sampling. Returns int64 ids of shape ``()`` or ``(B,)``.
    """
    if not isinstance(logits, Tensor) or logits.dim() not in (1, 2) or not logits.is_floating_point():
        raise ValueError("logits must be a float tensor of shape (V,) or (B, V).")
    temperature = check_real(temperature, "temperature", minimum=0.0)
    if top_k is not None:
        top_k = check_whole(top_k, "top_k", minimum=1)
    if temperature == 0:
        return logits.argmax(-1)
    scaled = logits / temperature
    if top_k is not None and top_k < logits.shape[-1]:
        kth = scaled.topk(top_k, dim=-1).values[..., -1:]
        scaled = scaled.masked_fill(scaled < kth, float("-inf"))
    probs = torch.softmax(scaled, dim=-1)
    flat = probs.reshape(-1, probs.shape[-1])
    if generator is not None:  # a generator draws on its own device
        flat = flat.to(generator.device)
    drawn = torch.multinomial(flat, 1, generator=generator).to(logits.device)
    return drawn.reshape(probs.shape[:-1])


def random_windows(tokens: Tensor, block: int, batch: int, *,
                   generator: torch.Generator | None = None) -> tuple[Tensor, Tensor]:
    """Cut ``batch`` random windows of length ``block`` out of a 1-D token tensor.

    Returns ``(x, y)``, both ``(batch, block)``, with ``y`` the next token of every
    position of ``x`` (``y[:, t] == tokens[start + t + 1]``): a language model's batch.
    """
    if not isinstance(tokens, Tensor) or tokens.dim() != 1 or tokens.is_floating_point():
        raise ValueError("tokens must be a 1-D integer tensor (for example CharVocab.encode(text)).")
    block = check_whole(block, "block", minimum=1)
    batch = check_whole(batch, "batch", minimum=1)
    if len(tokens) < block + 1:
        raise ValueError(f"tokens has {len(tokens)} ids: too short for windows of {block} plus one target.")
    starts = torch.randint(len(tokens) - block, (batch,), generator=generator)
    offsets = torch.arange(block + 1)
    windows = tokens[(starts[:, None] + offsets).to(tokens.device)]
    return windows[:, :-1], windows[:, 1:]


def plot_attention(weights: Tensor, queries: Sequence[str], keys: Sequence[str], *,
                   ax: Axes | None = None, title: str | None = None) -> Axes:
    """Draw an attention matrix (one row per query, one column per key) as a labelled heatmap.

    ``weights[i, j]`` is how much query ``i`` attends to key ``j`` (rows usually sum to 1).
    Returns the axes, so a notebook can add to the figure.
    """
    import matplotlib.pyplot as plt

    if not isinstance(weights, Tensor) or weights.dim() != 2:
        raise ValueError("weights must be a 2-D tensor of shape (queries, keys).")
    rows, cols = weights.shape
    if len(queries) != rows or len(keys) != cols:
        raise ValueError(f"weights has shape {tuple(weights.shape)}, but there are {len(queries)} query "
                         f"labels and {len(keys)} key labels: give one label per row and per column.")
    if ax is None:
        _, ax = plt.subplots(figsize=(max(3.0, 0.35 * cols + 1.5), max(2.5, 0.35 * rows + 1.0)))
    image = ax.imshow(weights.detach().float().cpu().numpy(), cmap="viridis", vmin=0.0, aspect="auto")
    ax.set_xticks(range(cols), [str(k) for k in keys], fontsize=8)
    ax.set_yticks(range(rows), [str(q) for q in queries], fontsize=8)
    ax.grid(False)  # the course style's grid lines would cross the cells
    ax.set_xlabel("key (attended to)")
    ax.set_ylabel("query (attending)")
    if title:
        ax.set_title(title)
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="attention weight")
    return ax
