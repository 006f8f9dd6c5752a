"""The classifier's estimator (kept apart from classify so importing that module does not import
sklearn; saved models name this module, so moving the class means retraining)."""

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.optimize import minimize_scalar
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.svm import LinearSVC

from gongzhi.cases.classify import softmax


class TemperatureSoftmax(ClassifierMixin, BaseEstimator):
    """A linear SVM (one-vs-rest margins) whose probabilities are softmax(margins / T).

    The SVM ranks well but its margins are not probabilities; T is fitted afterwards on texts
    the SVM did not see (`calibrate`, minimising their log loss), so a confidence of 0.8 is
    right about 80% of the time on text like those. One parameter cannot overfit the held-out
    set, keeps the ranking and makes the probabilities of all classes, "none of these"
    included, sum to 1. (ADR 0012.)"""

    def __init__(self, c: float = 0.5, seed: int = 0, temperature: float = 1.0):
        self.c = c
        self.seed = seed
        self.temperature = temperature

    def fit(self, x: Any, y: Sequence[str]) -> "TemperatureSoftmax":
        self.svm = LinearSVC(C=self.c, random_state=self.seed).fit(x, y)
        self.classes_ = self.svm.classes_
        return self

    def calibrate(self, x: Any, y: Sequence[str]) -> float:
        """Fit T on held-out rows (labels the SVM knows); returns it."""
        index = {c: i for i, c in enumerate(self.classes_)}
        rows = [(i, index[label]) for i, label in enumerate(y) if label in index]
        if not rows:
            return self.temperature
        margins = self.svm.decision_function(x)[[i for i, _ in rows]]
        truth = np.array([j for _, j in rows])

        def loss(log_t: float) -> float:
            p = softmax(margins / math.exp(log_t))
            return float(-np.log(p[np.arange(len(truth)), truth] + 1e-12).mean())

        found = minimize_scalar(loss, bounds=(-6.0, 3.0), method="bounded")
        self.temperature = float(math.exp(found.x))
        return self.temperature

    def predict_proba(self, x: Any) -> np.ndarray:
        return softmax(np.asarray(self.svm.decision_function(x)) / self.temperature)
