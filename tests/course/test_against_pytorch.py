"""dnn_ref against PyTorch (float64) at saturated outputs and for the softmax output layer.

The expected figures are PyTorch 2.13's (CPU, float64), printed by
``tools/pytorch_reference.py`` from the inputs in ``tests/fixtures/pytorch_cases.py``;
PyTorch itself is not imported here (it is not a course requirement, and the grading
sandbox blocks it). Agreement is to a few units in the last place (rtol 1e-12).
"""

import numpy as np
import pytest
import pytorch_cases as cases

import dnn_ref
from dnn_ref import losses
from dnn_ref.activations import softmax_backward
from dnn_ref.layers import Network
from dnn_ref.network import backprop, cost_from_logits, forward_prop, update_parameters

RTOL = 1e-12

# ------------------------------------------------------------------ PyTorch's figures
SATURATED_SIGMOID = {'cost': [[37.0,
           50.0,
           710.0,
           800.0,
           0.4740769841801067,
           0.048587351573742055,
           745.0]],
 'dz': [[1.0, 1.0, -1.0, -1.0, -0.3775406687981454, 0.04742587317756678, 1.0]]}
ONE_EXAMPLE_AT_W40 = {'W': 17.461764254467926,
 'b': -22.538235745532067,
 'cost': 0.0062224948473064146}
SOFTMAX_COST = {'cost': [1000.0, 0.17910417478500276, -0.0, 800.0],
 'dz': [[1.0, -0.1639811972185593, 2.8625185805493937e-20, -1.0],
        [-1.0, 0.11314284146556014, 3.1391327920480296e-17, 1.0],
        [0.0, 0.05083835575299917, 0.0, 0.0]]}
SOFTMAX_VJP = [[0.06656736624869346, 0.051171945029496624, 0.016539151490205174],
 [-0.0005496473300273631, -0.004779566186762608, -0.07445504626202126],
 [-0.0727854349213387, -0.054822745555088905, 0.0022385771221140635],
 [0.00676771600267257, 0.008430366712354899, 0.05567731764970202]]
SOFTMAX_NET = {'cost': 1.0985697228683684,
 'dW1': [[0.15372171678716404,
          0.062794132953102,
          -0.07401173911450716,
          -0.15674358005730696],
         [-0.31264973011431235,
          -0.19983082424814963,
          0.058987329026221835,
          0.27470849925580454],
         [0.05919915104599075,
          -0.27872914291741635,
          -0.4130139537005519,
          -0.245544885239866],
         [-0.09865513980735545,
          0.08922215636650033,
          0.21191247385147055,
          0.17977651858731575],
         [0.03468133983023592,
          -0.06847064771826408,
          -0.12159700446615605,
          -0.08588285722300351]],
 'db1': [[-0.08195144096787434],
         [0.17145033256841388],
         [-0.0037752665388963436],
         [0.1082757238236382],
         [0.09409305723567571]],
 'dW2': [[0.0416501699238393,
          -0.20804306268941608,
          0.12684473501875884,
          -0.2563269209732634,
          -0.1979230779881459],
         [-0.13200761724164226,
          0.37975076605236724,
          -0.12802400853044635,
          0.5360047556285178,
          0.1397113398970782],
         [0.0903574473178031,
          -0.17170770336295116,
          0.0011792735116875537,
          -0.2796778346552544,
          0.05821173809106771]],
 'db2': [[-0.16323155635230446], [0.20440708278950853], [-0.04117552643720401]]}
SATURATED_NET = {'cost': 10.37837624864763,
 'dW1': [[-4.064517699222513, 0.34097825857121095, 3.9207641300144473],
         [0.32671570933151894, -0.027572724353437134, -0.31509128038638445],
         [-0.09271786581990268, 0.007812932243339876, 0.08942399922363603],
         [-0.06456013699557747, 0.0054216785729459885, 0.06227440285749573]],
 'db1': [[-2.0492094981232682],
         [0.16466937488388494],
         [-0.04673481515795257],
         [-0.032547557642717974]],
 'dW2': [[0.16228936674864133,
          -0.19666931044816757,
          0.19881808592169903,
          -0.19890199083199436]],
 'db2': [[-0.19998986597999643]]}


def close(got, expected):
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=1e-300)


# ------------------------------------------------------------------ sigmoid output, saturated

def test_cost_from_z_is_pytorchs_at_saturated_outputs():
    # z = 37 (σ rounds to 1), 50, −710 and −800 (σ underflows), 745: the cost is |z|, not 27.63.
    Z, Y = cases.Z_SATURATED, cases.Y_SATURATED
    per_example = [losses.binary_cross_entropy_with_logits(Z[:, [i]], Y[:, [i]])
                   for i in range(Z.shape[1])]
    close(per_example, SATURATED_SIGMOID["cost"][0])
    assert losses.binary_cross_entropy(dnn_ref.sigmoid(Z[:, [0]]), Y[:, [0]]) == pytest.approx(
        -np.log(losses.EPS))                         # the clipped route stops at 27.63


def test_output_error_is_pytorchs_where_the_da_route_fails():
    Z, Y = cases.Z_SATURATED, cases.Y_SATURATED
    exact = SATURATED_SIGMOID["dz"]
    close(losses.binary_cross_entropy_with_logits_gradient(Z, Y), exact)
    close(dnn_ref.output_error(dnn_ref.sigmoid(Z), Y), exact)
    # The course's route dAL ⊙ σ′(Z) from clipped probabilities: 8.5e-5 at z = 37, 1.9e-10
    # at z = 50 and (almost) 0 from z = −710 on (label 1), where the error is ±1.
    A = dnn_ref.sigmoid(Z)
    with np.errstate(over="ignore"):
        da_route = (losses.binary_cross_entropy_gradient(A, Y)
                    * dnn_ref.sigmoid_derivative(Z))
    assert da_route[0, 0] == pytest.approx(8.5e-5, rel=0.01)
    assert da_route[0, 1] == pytest.approx(1.93e-10, rel=0.01)
    assert abs(da_route[0, 2]) < 1e-290 and da_route[0, 3] == 0.0   # z = −710, −800


def test_backprop_and_train_step_match_pytorch_from_w40():
    # One example x = 1, label 0, started at W = 40: 100 steps of α = 1 reach cost 0.006;
    # the da route stays at 27.63.
    x, y = np.array([[1.0]]), np.array([[0.0]])
    p = {"W1": np.array([[cases.W_START]]), "b1": np.zeros((1, 1))}
    for _ in range(cases.STEPS):
        AL, caches = forward_prop(x, p)
        p = update_parameters(p, backprop(AL, y, caches), cases.RATE)
    _, caches = forward_prop(x, p)
    close([p["W1"].item(), p["b1"].item()], [ONE_EXAMPLE_AT_W40["W"], ONE_EXAMPLE_AT_W40["b"]])
    close(cost_from_logits(caches[-1][1], y), ONE_EXAMPLE_AT_W40["cost"])
    assert ONE_EXAMPLE_AT_W40["cost"] == pytest.approx(0.006, abs=5e-4)


def test_network_fit_matches_pytorch_from_w40():
    net = Network.from_parameters({"W1": [[cases.W_START]], "b1": [[0.0]]})
    history = net.fit(np.array([[1.0]]), np.array([[0.0]]), cases.STEPS, cases.RATE)
    assert history[0] == 40.0                        # softplus(40) − 0, exact
    close([net.layers[0].weights.item(), net.layers[0].biases.item()],
          [ONE_EXAMPLE_AT_W40["W"], ONE_EXAMPLE_AT_W40["b"]])


def test_saturated_network_gradients_match_pytorch():
    params, X, Y = cases.saturated_net()
    AL, caches = forward_prop(X, params, "tanh")
    assert np.abs(caches[-1][1]).max() > 50          # saturated outputs, one of them wrong
    close(cost_from_logits(caches[-1][1], Y), SATURATED_NET["cost"])
    grads = backprop(AL, Y, caches, "tanh")
    for key in params:
        close(grads[f"d{key}"], SATURATED_NET[f"d{key}"])


# ------------------------------------------------------------------ softmax output

def test_softmax_cost_and_error_match_pytorch_cross_entropy():
    Z, Y = cases.Z_SOFTMAX, cases.Y_SOFTMAX
    per_example = [losses.softmax_cross_entropy_with_logits(Z[:, [i]], Y[:, [i]])
                   for i in range(Z.shape[1])]
    close(per_example, SOFTMAX_COST["cost"])
    close(losses.softmax_cross_entropy_with_logits_gradient(Z, Y), SOFTMAX_COST["dz"])
    close(dnn_ref.output_error(dnn_ref.softmax(Z), Y), SOFTMAX_COST["dz"])


def test_softmax_vector_jacobian_product_matches_autograd():
    close(softmax_backward(cases.Z_VJP, cases.DA_VJP), SOFTMAX_VJP)
    close(dnn_ref.Softmax().backward(cases.Z_VJP, cases.DA_VJP), SOFTMAX_VJP)


def test_softmax_network_cost_and_gradients_match_pytorch():
    params, X, Y = cases.softmax_net()
    AL, caches = forward_prop(X, params, "relu", output="softmax")
    close(cost_from_logits(caches[-1][1], Y, output="softmax"), SOFTMAX_NET["cost"])
    grads = backprop(AL, Y, caches, "relu")
    for key in params:
        close(grads[f"d{key}"], SOFTMAX_NET[f"d{key}"])


def test_softmax_layer_network_takes_pytorchs_step():
    params, X, Y = cases.softmax_net()
    net = Network.from_parameters(params, "relu", output="softmax")
    cost = net.train_step(X, Y, learning_rate=0.5)
    close(cost, SOFTMAX_NET["cost"])
    after = net.parameters()
    for key in params:
        close(after[key], np.asarray(params[key]) - 0.5 * np.asarray(SOFTMAX_NET[f"d{key}"]))
