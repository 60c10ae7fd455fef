"""Write tests/data/torch_reference.json: torch.optim iterates on the 3-D Rosenbrock function.

Run once with real PyTorch (it is not a dependency of quantopt or of its tests):

    python3 -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install numpy torch==2.13.0
    /tmp/torchenv/bin/python tests/data/make_torch_reference.py

Problem: f(x) = sum_{i=0}^{n-2} 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2, n = 3, from
x0 = (-1.2, 1, -1.2), in float64 (torch.float64 tensors), 25 steps per optimizer. The gradient is
the formula below (set as p.grad by hand, no autograd), so torch and quantopt see the same g
whenever they are at the same x:

    df/dx_i = -400 x_i (x_{i+1} - x_i^2) - 2 (1 - x_i)   [i < n-1]
              + 200 (x_i - x_{i-1}^2)                    [i > 0]

Optimizers and hyperparameters (everything else at torch's defaults, which are: dampening=0,
weight_decay=0, maximize=False; Adagrad lr_decay=0, initial_accumulator_value=0; RMSprop
centered=False, momentum=0; Adam amsgrad=False):

    sgd        torch.optim.SGD(lr=1e-4)
    momentum   torch.optim.SGD(lr=1e-4, momentum=0.9)
    nesterov   torch.optim.SGD(lr=1e-4, momentum=0.9, nesterov=True)
    adagrad    torch.optim.Adagrad(lr=0.05, eps=1e-7)
    rmsprop    torch.optim.RMSprop(lr=1e-3, alpha=0.99, eps=1e-7)
    adam       torch.optim.Adam(lr=1e-2, betas=(0.9, 0.999), eps=1e-7)

Each entry of the JSON records the quantopt method, its options (quantopt's names), the torch
call, and the iterates x_0, ..., x_25 (JSON floats round-trip float64 exactly).
"""
import json
import pathlib

import torch

STEPS = 25
X0 = [-1.2, 1.0, -1.2]

CASES = [
    # (quantopt method, quantopt options, torch class, torch kwargs)
    ("sgd", {"lr": 1e-4}, "SGD", {"lr": 1e-4}),
    ("momentum", {"lr": 1e-4, "momentum": 0.9}, "SGD", {"lr": 1e-4, "momentum": 0.9}),
    ("nesterov", {"lr": 1e-4, "momentum": 0.9}, "SGD",
     {"lr": 1e-4, "momentum": 0.9, "nesterov": True}),
    ("adagrad", {"lr": 0.05, "eps": 1e-7}, "Adagrad", {"lr": 0.05, "eps": 1e-7}),
    ("rmsprop", {"lr": 1e-3, "decay_rate": 0.99, "eps": 1e-7}, "RMSprop",
     {"lr": 1e-3, "alpha": 0.99, "eps": 1e-7}),
    ("adam", {"lr": 1e-2, "beta1": 0.9, "beta2": 0.999, "eps": 1e-7}, "Adam",
     {"lr": 1e-2, "betas": (0.9, 0.999), "eps": 1e-7}),
]


def rosenbrock_grad(x: torch.Tensor) -> torch.Tensor:
    g = torch.zeros_like(x)
    g[:-1] = -400.0 * x[:-1] * (x[1:] - x[:-1] ** 2) - 2.0 * (1.0 - x[:-1])
    g[1:] += 200.0 * (x[1:] - x[:-1] ** 2)
    return g


def run(cls_name: str, kwargs: dict) -> list[list[float]]:
    p = torch.tensor(X0, dtype=torch.float64, requires_grad=True)
    opt = getattr(torch.optim, cls_name)([p], **kwargs)
    path = [p.detach().tolist()]
    for _ in range(STEPS):
        opt.zero_grad()
        p.grad = rosenbrock_grad(p.detach().clone())
        opt.step()
        path.append(p.detach().tolist())
    return path


def main() -> None:
    torch.set_default_dtype(torch.float64)
    out = {
        "torch_version": torch.__version__,
        "problem": "rosenbrock, n=3, gradient by formula (see make_torch_reference.py)",
        "x0": X0,
        "steps": STEPS,
        "dtype": "float64",
        "cases": [
            {"method": method, "options": options, "torch": f"torch.optim.{cls}",
             "torch_kwargs": kwargs, "path": run(cls, kwargs)}
            for method, options, cls, kwargs in CASES
        ],
    }
    path = pathlib.Path(__file__).with_name("torch_reference.json")
    cases = out.pop("cases")
    head = json.dumps(out, indent=1)[:-2]  # one case per line keeps the file small and diffable
    body = ",\n  ".join(json.dumps(case) for case in cases)
    path.write_text(f'{head},\n "cases": [\n  {body}\n ]\n}}\n')
    json.loads(path.read_text())  # well-formed
    print(f"wrote {path} (torch {torch.__version__})")


if __name__ == "__main__":
    main()
