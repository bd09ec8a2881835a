"""Public checks of a04_deep_network_application (a 2-layer and an L-layer cat classifier).

Both graded functions train a network and return its ``parameters``.  The visible
cases train on six examples with four inputs each (seeded, below) for 201
iterations, so that they run in a few milliseconds and print the costs of
iterations 0, 100 and 200; the expected parameters were computed once with the
reference solution and are stored here as numbers.

Each ``check_<name>(fn)`` prints the student's parameters next to the expected
ones and raises ``AssertionError`` naming the first problem.  The ``FunctionCheck``
objects say how results are compared; the hidden checks reuse them.
"""
from __future__ import annotations

import re

import numpy as np

from dlcourse.autograder.checks import Case, FunctionCheck, public_check

__all__ = ["check_two_layer_model", "check_L_layer_model", "TWO_LAYER_MODEL", "L_LAYER_MODEL",
           "model_test_case", "TWO_LAYER_CASE", "L_LAYER_CASE"]

_PARAMETER_KEY = re.compile(r"^[Wb]\d+$")


def _parameters_only(result):
    """The ``parameters`` dict, restricted to its ``W1, b1, ...`` entries.

    A ``(parameters, costs)`` pair (what later versions of the course return) is
    accepted as well; other keys a student adds are ignored.
    """
    if isinstance(result, (tuple, list)) and len(result) == 2 and isinstance(result[0], dict):
        result = result[0]
    if not isinstance(result, dict):
        return result
    return {k: v for k, v in result.items() if isinstance(k, str) and _PARAMETER_KEY.match(k)}


# Updating the dict in place is a legitimate way to train; the inputs X, Y must stay untouched,
# which check_mutation also covers -- so it stays on.
TWO_LAYER_MODEL = FunctionCheck("two_layer_model", rtol=1e-6, atol=1e-9, transform=_parameters_only)
L_LAYER_MODEL = FunctionCheck("L_layer_model", rtol=1e-6, atol=1e-9, transform=_parameters_only)


def model_test_case() -> tuple[np.ndarray, np.ndarray]:
    """``X`` (4, 6) uniform in [0, 1) (``np.random.RandomState(3).rand(4, 6)``) and
    ``Y = [[1, 0, 1, 1, 0, 0]]``."""
    X = np.random.RandomState(3).rand(4, 6)
    Y = np.array([[1, 0, 1, 1, 0, 0]])
    return X, Y


#: the settings of the two public cases (also shown in the notebook)
TWO_LAYER_CASE = {"layers_dims": (4, 3, 1), "learning_rate": 0.5, "num_iterations": 201}
L_LAYER_CASE = {"layers_dims": [4, 4, 3, 1], "learning_rate": 0.3, "num_iterations": 201}


# --------------------------------------------------------------------------------------------
# Expected parameters (reference solution) and what known mistakes return on the same case
# --------------------------------------------------------------------------------------------

_TWO_LAYER_EXPECTED = {
    "W1": np.array([
        [2.7508810685545675, 0.4237237629970327, -2.1808650767115303, -0.7329733761217428],
        [-0.23019669601859355, -0.06639479801827045, 0.3797718884604145, 0.13290461702437223],
        [-1.2278605486577416, -0.2300167306491393, 1.900988558110547, 0.7167892585788193]]),
    "b1": np.array([
        [0.4338633330752656],
        [0.14385719654570334],
        [0.7664340531491716]]),
    "W2": np.array([
        [-3.6355052824971263, 0.4888609568591477, 2.504615759868977]]),
    "b2": np.array([
        [0.6699087246393639]]),
}

_TWO_LAYER_START = {
    "W1": np.array([
        [0.01624345363663242, -0.006117564136500754, -0.005281717522634557, -0.010729686221561705],
        [0.008654076293246785, -0.02301538696880283, 0.0174481176421648, -0.007612069008951028],
        [0.0031903909605709856, -0.0024937037547741008, 0.01462107937044974, -0.02060140709497654]]),
    "b1": np.array([
        [0.0],
        [0.0],
        [0.0]]),
    "W2": np.array([
        [-0.003224172040135075, -0.0038405435466841564, 0.011337694423354375]]),
    "b2": np.array([
        [0.0]]),
}

_TWO_LAYER_DEEP_START = {
    "W1": np.array([
        [3.2475190636013043, 0.2387395574083716, -2.0578735548164517, -1.2982317365998763],
        [0.4131719404764164, -1.1619235752819668, 0.9557057292127696, -0.3158514948202163],
        [-1.094184297640386, -0.5508648369970427, 2.545026799246041, -0.10953932010854778]]),
    "b1": np.array([
        [0.35579110955157905],
        [0.06491721683710039],
        [0.889752688168337]]),
    "W2": np.array([
        [-3.9496897009345737, 0.4153806041033708, 2.7452629043129595]]),
    "b2": np.array([
        [0.42937252706201784]]),
}

_TWO_LAYER_STALE = {
    "W1": np.array([
        [0.06880580042969277, 0.009229852032377243, 0.0004478780391493921, 0.009607441595502416],
        [0.06190811272301047, -0.006389383084186904, 0.0025217547105332444, 0.007493549838590777],
        [-0.001994974985730518, -0.029060545448450208, 0.08740531633920359, 0.016041389532131328]]),
    "b1": np.array([
        [0.05400450717920064],
        [0.03216431196145444],
        [0.09495048459840597]]),
    "W2": np.array([
        [-0.16184850369967865, 0.07354729617993304, 0.0430017532752564]]),
    "b2": np.array([
        [6.255417300268779e-05]]),
}

_L_LAYER_EXPECTED = {
    "W1": np.array([
        [2.1716365934214643, -0.11111486418263758, -1.163689592412918, -0.9769055869564469],
        [-0.054568663919502505, -1.5483539014978116, 1.2309340420391202, -0.28086879228142],
        [0.007787080363867531, -0.295895526165568, 0.9438939505763043, -0.9421054532033856],
        [-0.3260843236967999, -0.32994754564666545, 0.9396753411256231, -0.2723545668948586]]),
    "b1": np.array([
        [0.3082062398733274],
        [0.13250155961214272],
        [0.18409985708393659],
        [0.3508251937779105]]),
    "W2": np.array([
        [-0.08633045507660413, -0.4389292089606859, 0.021106873357796416, 0.2839476850642453],
        [-1.4379296504740722, 1.2423933447922104, 0.6770057239278584, 0.6791023336250653],
        [2.0823329169803455, -0.69856301780786, -0.09626101154957566, -0.6556692658608851]]),
    "b2": np.array([
        [-0.030342280258488008],
        [1.4307467935395468],
        [0.24621719850040477]]),
    "W3": np.array([
        [-0.1433888607357576, 2.4040161851842528, -2.2224812989674185]]),
    "b3": np.array([
        [0.36547649256419174]]),
}

_L_LAYER_START = {
    "W1": np.array([
        [0.8121726818316208, -0.3058782068250377, -0.26408587613172785, -0.5364843110780853],
        [0.43270381466233926, -1.1507693484401413, 0.87240588210824, -0.3806034504475514],
        [0.15951954802854929, -0.12468518773870504, 0.731053968522487, -1.030070354748827],
        [-0.16120860200675374, -0.19202717733420782, 0.5668847211677187, -0.5499456336570154]]),
    "b1": np.array([
        [0.0],
        [0.0],
        [0.0],
        [0.0]]),
    "W2": np.array([
        [-0.08621410377521788, -0.4389292089606859, 0.021106873357796416, 0.2914076068579111],
        [-0.5503095886064606, 0.5723618549198071, 0.4507953602963978, 0.2512471694509341],
        [0.4504279746322059, -0.34186392958716655, -0.061445112759324086, -0.4678847171295344]]),
    "b2": np.array([
        [0.0],
        [0.0],
        [0.0]]),
    "W3": np.array([
        [-0.1546652548847722, 0.3062008714874813, -0.39933052119650614]]),
    "b3": np.array([
        [0.0]]),
}

_L_LAYER_SMALL_START = {
    "W1": np.array([
        [0.01765674506156409, -0.005704628724396935, -0.00512693706487709, -0.010183131350907789],
        [0.007591027464645646, -0.023347565016635402, 0.017745376083255462, -0.007913359432528315],
        [0.0031716501082962078, -0.002588872733191762, 0.014881438969971485, -0.02047030504027563],
        [-0.0032442572442593935, -0.00398414127031764, 0.01174891926624237, -0.010793108909804346]]),
    "b1": np.array([
        [0.0014522271243196992],
        [-0.0006422555526396479],
        [0.00033959583430023506],
        [0.0005391285189613316]]),
    "W2": np.array([
        [-0.0017242820755043575, -0.008778584179213718, 0.0004221374671559283, 0.005828152137158223],
        [-0.011708238183433327, 0.011788010716897786, 0.009146191944352346, 0.0052222840223122985],
        [0.009863449402240277, -0.007246089103983638, -0.0013854932094721946, -0.009596622631916242]]),
    "b2": np.array([
        [0.0],
        [0.0001326074741947868],
        [0.0005187217802609753]]),
    "W3": np.array([
        [-0.002678880796260159, 0.007510105402835703, -0.008641669425705736]]),
    "b3": np.array([
        [3.271062487930632e-06]]),
}

_L_LAYER_ASCENT = {
    "W1": np.array([
        [0.9816345729389749, -0.16592451761323104, -0.22954543821505644, -0.5598774325210325],
        [0.34134201455062063, -1.2346155541713302, 0.9663777423754906, -0.2553820365895908],
        [0.04612997811302678, -0.21224718444376983, 0.7564634805397918, -1.0025364438442026],
        [-0.20734123973584612, -0.23511822422483383, 0.6014083550470977, -0.5268255807816825]]),
    "b1": np.array([
        [0.07297715552544534],
        [0.12352855874049572],
        [0.0010119293877129286],
        [0.03251032044360935]]),
    "W2": np.array([
        [-0.08621410377521788, -0.4389292089606859, 0.021106873357796416, 0.2914076068579111],
        [-0.7854480583959176, 0.7255154584893669, 0.43375492519177106, 0.3370622760220251],
        [0.3647390899123136, -0.38465455909221974, -0.06480320295337927, -0.4678847171295344]]),
    "b2": np.array([
        [0.0],
        [0.09275339549895201],
        [-0.1756414821715334]]),
    "W3": np.array([
        [-0.1546652548847722, -0.8076863706595799, -0.38524010761432276]]),
    "b3": np.array([
        [21.332280186533584]]),
}


def _case(settings: dict, expected: dict, mistakes: list) -> Case:
    X, Y = model_test_case()
    dims = settings["layers_dims"]
    kwargs = {"learning_rate": settings["learning_rate"],
              "num_iterations": settings["num_iterations"], "print_cost": True}
    label = (f"X (4, 6), layers_dims = {dims}, learning_rate = {settings['learning_rate']}, "
             f"{settings['num_iterations']} iterations")
    return Case((X, Y, dims), kwargs, expected=expected, label=label, known_mistakes=mistakes)


def check_two_layer_model(fn) -> None:
    """``two_layer_model(X, Y, (4, 3, 1), learning_rate=0.5, num_iterations=201, print_cost=True)``."""
    public_check(fn, TWO_LAYER_MODEL, [_case(TWO_LAYER_CASE, _TWO_LAYER_EXPECTED, [
        (_TWO_LAYER_START, "these are the starting parameters: the result of update_parameters "
                           "is never assigned back to parameters"),
        (_TWO_LAYER_STALE, "W1, b1, W2, b2 are taken from parameters once, before the loop: "
                           "take them again in every iteration"),
        (_TWO_LAYER_DEEP_START, "the network started from initialize_parameters_deep; the "
                                "2-layer model uses initialize_parameters(n_x, n_h, n_y)"),
    ])])


def check_L_layer_model(fn) -> None:
    """``L_layer_model(X, Y, [4, 4, 3, 1], learning_rate=0.3, num_iterations=201, print_cost=True)``."""
    public_check(fn, L_LAYER_MODEL, [_case(L_LAYER_CASE, _L_LAYER_EXPECTED, [
        (_L_LAYER_START, "these are the starting parameters: the result of update_parameters "
                         "is never assigned back to parameters"),
        (_L_LAYER_SMALL_START, "the weights started at randn x 0.01; initialize_parameters_deep "
                               "(randn / sqrt(n_prev)) gives the starting point"),
        (_L_LAYER_ASCENT, "the steps go uphill: parameters = parameters - learning_rate * gradient"),
    ])])
