"""`python -m benchmarks [options]`: the train-step benchmark (benchmarks/train_step.py; see
`python -m benchmarks --help`). The other scripts in this folder run on their own:
`python benchmarks/op_overhead.py`, `python benchmarks/optimizer_step.py`, ..."""

from benchmarks.train_step import main

if __name__ == "__main__":
    main()
