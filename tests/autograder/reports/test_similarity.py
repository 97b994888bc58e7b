"""Copy detection with copydetect: copies are flagged, independent answers are not."""

from __future__ import annotations

import nbformat
from similarity_class import ANSWERS, STUB

from autograder.reports.similarity import (
    ALL_FUNCTIONS,
    answer_cells,
    course_code,
    defined_functions,
    find_copies,
    function_sources,
)

FN = "one_layer_backward"


def pairs(flags) -> set[tuple[str, str, str]]:
    return {(f.function, f.a, f.b) for f in flags}


def test_a_renamed_copy_and_a_copy_of_dnn_ref_are_flagged_and_nothing_else():
    flags = find_copies({s: {FN: code} for s, code in ANSWERS.items()}, {FN: STUB},
                        course_code())
    assert pairs(flags) == {(FN, "ada", "copier"), (FN, "refcopy", "dnn_ref/network.py")}
    copy = next(f for f in flags if f.b == "copier")
    assert copy.similarity == (1.0, 1.0) and not copy.reference
    assert copy.code_b == ANSWERS["copier"]
    assert copy.spans_a and copy.spans_b
    ref = next(f for f in flags if f.reference)
    assert ref.similarity[1] is None and 0.35 <= ref.similarity[0] < 1
    found = "".join(ref.code_b[s:e] for s, e in ref.spans_b)
    assert "keepdims=True) / m" in found          # the copied lines of dnn_ref are located


def test_the_answer_most_of_the_class_writes_is_not_a_copy():
    canonical = ('def update_parameters(parameters, grads, learning_rate):\n'
                 '    return {k: v - learning_rate * grads["d" + k] for k, v in '
                 'parameters.items()}')
    odd = ('def update_parameters(parameters, grads, learning_rate):\n'
           '    out = dict(parameters)\n'
           '    for name in sorted(out):\n'
           '        out[name] = np.subtract(out[name], np.multiply(learning_rate, '
           'grads["d" + name]))\n'
           '    return out')
    answers = {f"s{i}": {"update_parameters": canonical} for i in range(6)}
    answers |= {"odd1": {"update_parameters": odd}, "odd2": {"update_parameters": odd}}
    stub = ('def update_parameters(parameters, grads, learning_rate):\n'
            '    raise NotImplementedError()')
    flags = find_copies(answers, {"update_parameters": stub}, {})
    assert pairs(flags) == {("update_parameters", "odd1", "odd2")}


def test_functions_are_taken_from_the_answer_cells_of_a_notebook():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("def helper():\n    pass",
                                  metadata={"nbgrader": {"solution": False}}),
        nbformat.v4.new_code_cell(ANSWERS["ada"] + "\n\ndef extra(x):\n    return x",
                                  metadata={"nbgrader": {"solution": True}}),
    ])
    code = answer_cells(nb)
    assert defined_functions(code) == [FN, "extra"]
    assert function_sources(code, [FN]) == {FN: ANSWERS["ada"]}
    assert function_sources("def one_layer_backward(:\n", [FN]) == {}


def test_course_code_holds_dnn_ref_and_the_code_cells_of_chapter_6():
    code = course_code()
    assert "def one_layer_backward(" in code["dnn_ref/network.py"]
    assert "check_network_gradients(" in code["book chapter 6"]
    assert "```" not in code["book chapter 6"] and "$$" not in code["book chapter 6"]


def test_a_backprop_taken_from_chapter_6_is_flagged_and_an_own_one_is_not():
    from submissions.roster import LOOPS, VECTORISED

    taken = '''
def backprop(AL, Y, caches):
    grads, L = {}, len(caches)
    dAL = binary_cross_entropy_gradient(AL, Y)
    (grads[f"dA{L-1}"], grads[f"dW{L-1}"],
     grads[f"db{L-1}"]) = one_layer_backward(dAL, caches[L - 1])
    for l in reversed(range(L - 1)):
        (grads[f"dA{l}"], grads[f"dW{l+1}"],
         grads[f"db{l+1}"]) = one_layer_backward(grads[f"dA{l+1}"], caches[l])
    return grads'''.strip()
    answers = {"taker": {"backprop": taken}, "own": {"backprop": VECTORISED["backprop"]},
               "loops": {"backprop": LOOPS["backprop"]}}
    stub = "def backprop(AL, Y, caches):\n    raise NotImplementedError()"
    flags = find_copies(answers, {"backprop": stub}, course_code())
    assert pairs(flags) == {("backprop", "taker", "book chapter 6")}


TEXTBOOK_LOOP = '''def update_parameters(parameters, grads, learning_rate):
    L = len(parameters) // 2
    for l in range(1, L + 1):
        parameters[f"W{l}"] = parameters[f"W{l}"] - learning_rate * grads[f"dW{l}"]
        parameters[f"b{l}"] = parameters[f"b{l}"] - learning_rate * grads[f"db{l}"]
    return parameters'''
UPDATE_STUB = ('def update_parameters(parameters, grads, learning_rate):\n'
               '    raise NotImplementedError()')


def test_two_students_writing_the_textbook_loop_are_not_flagged():
    # the same six lines as the instructor's solution, names changed by one student
    renamed = TEXTBOOK_LOOP.replace("parameters", "params").replace("grads", "g")
    answers = {"ana": {"update_parameters": TEXTBOOK_LOOP},
               "bruno": {"update_parameters": renamed}}
    flags = find_copies(answers, {"update_parameters": UPDATE_STUB}, {},
                        solutions={"update_parameters": TEXTBOOK_LOOP})
    assert pairs(flags) == set()


def test_identical_submissions_are_flagged_even_when_most_of_a_small_class_hands_them_in():
    odd = ANSWERS["ada"]
    answers = {s: {FN: odd} for s in ("c1", "c2", "c3")}      # 3 of 5 hand in the same text
    answers |= {"d": {FN: ANSWERS["copier"].replace("dZ", "delta")},
                "e": {FN: TEXTBOOK_LOOP}}
    flags = find_copies(answers, {FN: STUB}, {})
    assert {("c1", "c2"), ("c1", "c3"), ("c2", "c3")} <= {(f.a, f.b) for f in flags
                                                          if f.function == ALL_FUNCTIONS}


def test_hostile_answer_cells_are_left_out_not_fatal():
    deep = "def one_layer_backward(dA, cache):\n    return " + " + ".join(["1"] * 200_000)
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(deep, metadata={"nbgrader": {"solution": True,
                                                               "grade_id": "olb"}}),
        nbformat.v4.new_code_cell("x = 1", metadata={"nbgrader": "solution"}),
        nbformat.v4.new_code_cell(ANSWERS["ada"], metadata={"nbgrader": {"solution": True}}),
    ])
    code = answer_cells(nb, {"olb"})
    assert function_sources(code, [FN]) == {}                 # too long to parse: no answer
    assert answer_cells(nb, {"nope"}) == ""                   # a scratch 'solution' is not one
    assert "ada" not in answer_cells(nb, {"olb"})


def test_a_report_label_is_never_a_students_text():
    from autograder.reports.misconceptions import label_for

    assert label_for("dw_missing_1_over_m") != "dw missing 1 over m"      # a catalogued title
    assert "could not run" in label_for("not_run")                          # the judge's title
    assert label_for("made_up_slug") == "made up slug"
