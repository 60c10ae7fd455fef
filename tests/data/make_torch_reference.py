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

Optimizers and hyperparameters: the CASES table below (one line each: the case's name, the
quantopt method and options, the torch class and keyword arguments). Every option not given is
at torch's default: dampening=0, weight_decay=0, nesterov=False, maximize=False; Adagrad
lr_decay=0, initial_accumulator_value=0; RMSprop centered=False, momentum=0; Adam/AdamW
amsgrad=False (AdamW's weight_decay default is 0.01). The first six cases are the plain rules;
the others exercise torch.optim's options (issue 15): weight_decay on every rule, momentum with
dampening (alone and with weight_decay), nesterov with weight_decay, Adagrad's lr_decay and
initial_accumulator_value (alone and together with weight_decay), RMSprop centered, with
momentum, both, and both with weight_decay, Adam with amsgrad (alone and with weight_decay),
AdamW with and without amsgrad (the amsgrad cases with beta2 = 0.5, so that v decreases
within the 25 steps and its running maximum matters). The learning rates are chosen so that
every run moves visibly (by more than 0.05 in some coordinate) and stays finite.

Each entry of the JSON records the case's name, the quantopt method, its options (quantopt's
names), the torch call, and the iterates x_0, ..., x_25 (JSON floats round-trip float64 exactly).
"""
import json
import pathlib

import torch

STEPS = 25
X0 = [-1.2, 1.0, -1.2]

CASES = [
    # (case name, quantopt method, quantopt options, torch class, torch kwargs)
    ("sgd", "sgd", {"lr": 1e-4}, "SGD", {"lr": 1e-4}),
    ("momentum", "momentum", {"lr": 1e-4, "momentum": 0.9}, "SGD",
     {"lr": 1e-4, "momentum": 0.9}),
    ("nesterov", "nesterov", {"lr": 1e-4, "momentum": 0.9}, "SGD",
     {"lr": 1e-4, "momentum": 0.9, "nesterov": True}),
    ("adagrad", "adagrad", {"lr": 0.05, "eps": 1e-7}, "Adagrad", {"lr": 0.05, "eps": 1e-7}),
    ("rmsprop", "rmsprop", {"lr": 1e-3, "decay_rate": 0.99, "eps": 1e-7}, "RMSprop",
     {"lr": 1e-3, "alpha": 0.99, "eps": 1e-7}),
    ("adam", "adam", {"lr": 1e-2, "beta1": 0.9, "beta2": 0.999, "eps": 1e-7}, "Adam",
     {"lr": 1e-2, "betas": (0.9, 0.999), "eps": 1e-7}),
    # torch.optim's options (issue 15)
    ("gd weight_decay", "gd", {"lr": 1e-4, "weight_decay": 0.5}, "SGD",
     {"lr": 1e-4, "weight_decay": 0.5}),
    ("sgd weight_decay", "sgd", {"lr": 1e-4, "weight_decay": 0.5}, "SGD",
     {"lr": 1e-4, "weight_decay": 0.5}),
    ("momentum weight_decay", "momentum", {"lr": 1e-4, "momentum": 0.9, "weight_decay": 0.5},
     "SGD", {"lr": 1e-4, "momentum": 0.9, "weight_decay": 0.5}),
    ("momentum dampening", "momentum", {"lr": 1e-4, "momentum": 0.9, "dampening": 0.5},
     "SGD", {"lr": 1e-4, "momentum": 0.9, "dampening": 0.5}),
    ("momentum dampening weight_decay", "momentum",
     {"lr": 1e-4, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.5},
     "SGD", {"lr": 1e-4, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.5}),
    ("nesterov weight_decay", "nesterov", {"lr": 1e-4, "momentum": 0.9, "weight_decay": 0.5},
     "SGD", {"lr": 1e-4, "momentum": 0.9, "nesterov": True, "weight_decay": 0.5}),
    ("adagrad weight_decay", "adagrad", {"lr": 0.05, "eps": 1e-7, "weight_decay": 0.5},
     "Adagrad", {"lr": 0.05, "eps": 1e-7, "weight_decay": 0.5}),
    ("adagrad lr_decay", "adagrad", {"lr": 0.05, "eps": 1e-7, "lr_decay": 0.1},
     "Adagrad", {"lr": 0.05, "eps": 1e-7, "lr_decay": 0.1}),
    ("adagrad initial_accumulator_value", "adagrad",
     {"lr": 0.05, "eps": 1e-7, "initial_accumulator_value": 3.0},
     "Adagrad", {"lr": 0.05, "eps": 1e-7, "initial_accumulator_value": 3.0}),
    ("adagrad all options", "adagrad",
     {"lr": 0.05, "eps": 1e-7, "lr_decay": 0.1, "initial_accumulator_value": 3.0,
      "weight_decay": 0.5},
     "Adagrad", {"lr": 0.05, "eps": 1e-7, "lr_decay": 0.1, "initial_accumulator_value": 3.0,
                 "weight_decay": 0.5}),
    ("rmsprop weight_decay", "rmsprop",
     {"lr": 1e-3, "decay_rate": 0.99, "eps": 1e-7, "weight_decay": 0.5},
     "RMSprop", {"lr": 1e-3, "alpha": 0.99, "eps": 1e-7, "weight_decay": 0.5}),
    ("rmsprop centered", "rmsprop", {"lr": 1e-3, "decay_rate": 0.9, "eps": 1e-7, "centered": True},
     "RMSprop", {"lr": 1e-3, "alpha": 0.9, "eps": 1e-7, "centered": True}),
    ("rmsprop momentum", "rmsprop", {"lr": 1e-3, "decay_rate": 0.9, "eps": 1e-7, "momentum": 0.5},
     "RMSprop", {"lr": 1e-3, "alpha": 0.9, "eps": 1e-7, "momentum": 0.5}),
    ("rmsprop centered momentum", "rmsprop",
     {"lr": 1e-3, "decay_rate": 0.9, "eps": 1e-7, "centered": True, "momentum": 0.5},
     "RMSprop", {"lr": 1e-3, "alpha": 0.9, "eps": 1e-7, "centered": True, "momentum": 0.5}),
    ("rmsprop centered momentum weight_decay", "rmsprop",
     {"lr": 1e-3, "decay_rate": 0.9, "eps": 1e-7, "centered": True, "momentum": 0.5,
      "weight_decay": 0.5},
     "RMSprop", {"lr": 1e-3, "alpha": 0.9, "eps": 1e-7, "centered": True, "momentum": 0.5,
                 "weight_decay": 0.5}),
    ("adam weight_decay", "adam", {"lr": 1e-2, "eps": 1e-7, "weight_decay": 0.5},
     "Adam", {"lr": 1e-2, "eps": 1e-7, "weight_decay": 0.5}),
    ("adam amsgrad", "adam", {"lr": 1e-2, "beta2": 0.5, "eps": 1e-7, "amsgrad": True},
     "Adam", {"lr": 1e-2, "betas": (0.9, 0.5), "eps": 1e-7, "amsgrad": True}),
    ("adam amsgrad weight_decay", "adam",
     {"lr": 1e-2, "beta2": 0.5, "eps": 1e-7, "amsgrad": True, "weight_decay": 0.5},
     "Adam", {"lr": 1e-2, "betas": (0.9, 0.5), "eps": 1e-7, "amsgrad": True,
              "weight_decay": 0.5}),
    ("adamw", "adamw", {"lr": 1e-2, "eps": 1e-7, "weight_decay": 0.5},
     "AdamW", {"lr": 1e-2, "eps": 1e-7, "weight_decay": 0.5}),
    ("adamw amsgrad", "adamw",
     {"lr": 1e-2, "beta2": 0.5, "eps": 1e-7, "weight_decay": 0.5, "amsgrad": True},
     "AdamW", {"lr": 1e-2, "betas": (0.9, 0.5), "eps": 1e-7, "weight_decay": 0.5,
               "amsgrad": True}),
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
            {"name": name, "method": method, "options": options, "torch": f"torch.optim.{cls}",
             "torch_kwargs": kwargs, "path": run(cls, kwargs)}
            for name, method, options, cls, kwargs in CASES
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
