"""The check of exercise 07.5 (a training recipe): the protections the answers file cannot show.

``tests/answers/nb07.py`` runs plausible wrong recipes through ``check("07.5", ...)``. Three
promises need a test of their own: the time limit (a slow recipe would make that suite slow),
the sealing of a *notebook's* variables (the answers are module functions, not notebook cells),
and that the check's own digits never include a test digit.
"""

from __future__ import annotations

import torch
from torch import nn

from course_utils.checks import check
from course_utils.exercises import nb07
from course_utils.train import fit


def _lenet() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def _one_epoch(images: torch.Tensor, labels: torch.Tensor) -> nn.Module:
    model = _lenet().to(images.device)
    fit(model, (images, labels), epochs=1, verbose=False, progress=False)
    return model


def test_a_recipe_over_the_time_limit_fails(monkeypatch) -> None:
    monkeypatch.setattr(nb07, "RECIPE_SECONDS", 0.0)
    result = check("07.5", _one_epoch)
    assert result.status == "not quite"
    assert "at most 0 s of training" in result.message


def test_the_check_holds_out_training_digits_and_never_uses_the_test_split() -> None:
    given, _, held, _ = nb07._sample_digits()
    test_images = nb07._sample()[1].images
    given_prints, held_prints = set(nb07._fingerprints(given)), set(nb07._fingerprints(held))
    assert (len(given), len(held)) == (3000, 1000)
    assert given_prints.isdisjoint(held_prints)
    assert given_prints.isdisjoint(nb07._fingerprints(test_images))
    assert held_prints.isdisjoint(nb07._fingerprints(test_images))
    renamed = torch.tensor(nb07.RENAMED)
    assert sorted(nb07.RENAMED) == list(range(10)) and not (renamed == torch.arange(10)).any()


NOTEBOOK_CELL = '''
def train_recipe(images, labels):
    extra_images, extra_labels = {source}
    model = one_epoch(torch.cat([images, extra_images.to(images.device)]),
                      torch.cat([labels, extra_labels.to(labels.device)]))
    return model
'''


def test_a_recipe_that_reads_the_notebooks_digits_fails_and_the_notebook_gets_them_back() -> None:
    from course_utils.data import train_val_split

    test = nb07._sample()[1]
    train_set, val_set = train_val_split(nb07._sample()[0], val_fraction=0.1, seed=0)
    for name, source in [("X_test", "X_test, y_test"), ("mnist_test", "mnist_test.images, mnist_test.labels"),
                         ("X_val", "X_val[:100], y_val[:100]"), ("test_data", "test_data")]:
        namespace = {"torch": torch, "one_epoch": _one_epoch, "mnist_test": test, "X_test": test.images,
                     "y_test": test.labels, "X_val": val_set.images, "y_val": val_set.labels,
                     "test_data": (test.images, test.labels), "X_train": train_set.images}
        before = dict(namespace)
        exec(NOTEBOOK_CELL.format(source=source), namespace)   # a notebook cell, as a learner writes it
        result = check("07.5", namespace["train_recipe"])
        assert result.status == "not quite", (name, result)
        assert f"reads {name!r}" in result.message, (name, result.message)
        assert all(namespace[key] is value for key, value in before.items())


def test_sealing_leaves_a_recipe_alone_that_uses_only_its_arguments(monkeypatch) -> None:
    """A recipe that uses the notebook's helpers but none of its digits still passes (here with a low target)."""
    monkeypatch.setattr(nb07, "RECIPE_TARGET", 0.5)
    train_set, _ = nb07._sample()
    namespace = {"torch": torch, "one_epoch": _one_epoch, "X_train": train_set.images, "y_train": train_set.labels,
                 "helpers": {"epochs": 1}}
    exec("def train_recipe(images, labels):\n    return one_epoch(images, labels)\n", namespace)
    result = check("07.5", namespace["train_recipe"])
    assert result.status == "correct", result.message
    assert namespace["X_train"] is train_set.images
