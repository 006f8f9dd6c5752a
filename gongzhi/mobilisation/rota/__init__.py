"""The duty rota (排班) of an emergency mobilisation: pure Python over OR-Tools CP-SAT, no
models and no database (docs/mobilisation.md "The rota solver", ADR 0028).

    model.py    Person, Shift, Fixed, Problem, Solution: frozen data in and out
    solver.py   solve(): the CP-SAT model, its objective, re-solves from a hint
    explain.py  why a rota cannot be made, found before the search where it can be
    checker.py  check(): every hard constraint, independently of the solver
    greedy.py   greedy(): the benchmark's baseline
    prep.py     candidates and minutes per day and week, shared by solver and greedy
    text.py     shift names and gettext for the messages
"""
