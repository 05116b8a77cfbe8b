"""The seed notebook's design, re-implemented faithfully: one Python object per neuron, eager JAX, one
jax.grad call per neuron per sample, learning rate 10, sigmoid on every layer, trained one sample at a time.

Its two bugs are kept on purpose, since the point is to measure what the learner actually ran:
- Model.train's backprop loop is `range(len(layers) - 1, 1, -1)`: with the 2-2-2 network (two weight
  layers) that range is empty, so no neuron ever learns.
- Neuron.learn takes `grad(..., argnums=1)`, the gradient with respect to the *input*, as the weight
  gradient (unreached here, because of the first bug, but kept).
Besides, a sigmoid output cannot produce targets near 11 and 21, so even a bug-free version would fail.
"""

from __future__ import annotations

import random
import time

import jax.numpy as jnp
import numpy as np
from jax import grad

LEARNRATE = 10


def sigmoid(x):
    return 1 / (1 + jnp.exp(-1 * x))


def mse(exp, hat):
    return (1 / len(exp)) * jnp.sum((exp - hat) ** 2)


class Neuron:
    def __init__(self, numOfInputs):
        self.weights = jnp.array(np.random.rand(numOfInputs,))
        self.bias = random.random()
        self.savedInput = None

    def forward(self, inputs, save=False, useSave=False):
        if save:
            self.savedInput = inputs
        if useSave:
            inputs = self.savedInput
        inToActive = jnp.dot(inputs, self.weights)
        inToActive += self.bias
        return sigmoid(inToActive)

    def calcActivGrad(self):
        activ = lambda W, input, bias: sigmoid(jnp.dot(W, input) + bias)  # noqa: E731 (as in the notebook)
        return grad(activ, argnums=1)(self.weights, self.savedInput, self.bias)

    def learn(self, derivToCost):
        activ = lambda W, input, bias: sigmoid(jnp.dot(W, input) + bias)  # noqa: E731
        W_grad = grad(activ, argnums=1)(self.weights, self.savedInput, self.bias)   # the argnums bug
        biasGrad = grad(activ, argnums=2)(self.weights, self.savedInput, self.bias)
        W_grad = W_grad * -1 * LEARNRATE * derivToCost
        biasGrad = biasGrad * -1 * LEARNRATE * derivToCost
        self.weights = self.weights + W_grad
        self.bias = self.bias + biasGrad


class Layer:
    def __init__(self, numOfNodes, numOfInputs):
        self.neurons = [Neuron(numOfInputs) for _ in range(numOfNodes)]
        self.numOfInputs = numOfInputs

    def forward(self, input, save=False, useSave=False):
        return jnp.array([neuron.forward(input, save, useSave) for neuron in self.neurons])

    def backward(self, costGrade):
        previousLayerCostGradient = []
        for i in range(len(costGrade)):
            activationToNeuronGrade = self.neurons[i].calcActivGrad()
            previousLayerCostGradient.append(activationToNeuronGrade * costGrade[i])
            self.neurons[i].learn(costGrade[i])
        return jnp.sum(jnp.array(previousLayerCostGradient), axis=0)


class Model:
    def __init__(self, layers):
        self.layers = layers

    def forward(self, input):
        layerOut = self.layers[0].forward(input)
        for i in range(1, len(self.layers)):
            layerOut = self.layers[i].forward(layerOut)
        return layerOut

    backprop_stop = 1   # the notebook's range(len(layers) - 1, 1, -1): the loop bug, it stops before layer 1

    def train(self, input, output):
        layerOut = self.layers[0].forward(input, save=True)
        for i in range(1, len(self.layers)):
            layerOut = self.layers[i].forward(layerOut, save=True)
        activToCost = lambda activs, output: mse(activs, output)  # noqa: E731
        activGrad = grad(activToCost, argnums=0)(layerOut, output)
        for i in range(len(self.layers) - 1, self.backprop_stop, -1):
            activGrad = self.layers[i].backward(activGrad)


class BackpropEveryLayerModel(Model):
    """Not the notebook: its loop made to reach every layer, only to price a step that does backprop."""

    backprop_stop = -1   # every layer, down to layer 0


def make_model(seed=0, cls=Model):
    """The notebook's 2-2-2 architecture: 2 inputs, a hidden layer of 2, an output layer of 2."""
    random.seed(seed)
    np.random.seed(seed)
    return cls([Layer(2, 2), Layer(2, 2)])


def raw_mse(model, x, y):
    """MSE in raw units over samples and outputs, with the neurons' own weights but vectorised (exact)."""
    h = np.asarray(x, np.float64)
    for layer in model.layers:
        w = np.stack([np.asarray(n.weights, np.float64) for n in layer.neurons], axis=1)
        b = np.array([float(n.bias) for n in layer.neurons])
        h = 1 / (1 + np.exp(-(h @ w + b)))
    return float(np.mean((h - np.asarray(y, np.float64)) ** 2))


def train_for(model, x, y, seconds):
    """The notebook's loop: model.train on one sample after another, for a wall-time budget.

    Returns (steps, seconds): one step is one model.train call on one sample.
    """
    x_dat, y_dat = jnp.array(x), jnp.array(y)
    steps, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        i = steps % len(x)
        model.train(x_dat[i], y_dat[i])
        steps += 1
    return steps, time.perf_counter() - t0
