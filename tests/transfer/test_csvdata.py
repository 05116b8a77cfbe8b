"""nn.dataset_to_csv / nn.dataset_from_csv: exact round trips and errors that name the row."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import nn


def rows_bits(ds: nn.Dataset) -> np.ndarray:
    """The dataset's rows as float32 bit patterns, sorted: equal only if every value is bit-for-bit the same."""
    bits = np.ascontiguousarray(np.hstack([ds.x, ds.y]).astype(np.float32)).view(np.uint32)
    return bits[np.lexsort(bits.T[::-1])]


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def error(text, **kw) -> nn.ConfigError:
    with pytest.raises(nn.ConfigError) as e:
        nn.dataset_from_csv(text, **kw)
    return e.value


# -- out -------------------------------------------------------------------------------------------------
def test_csv_has_header_then_training_rows_then_test_rows():
    ds = nn.make_dataset(n=50, noise=0.5, seed=3)
    rows = csv_rows(nn.dataset_to_csv(ds))
    assert rows[0] == ["a", "b", "difference", "sum"]
    assert len(rows) == 1 + 50
    values = np.array(rows[1:], dtype=np.float64).astype(np.float32)
    assert np.array_equal(values[:len(ds.x_train)], np.hstack([ds.x_train, ds.y_train]))
    assert np.array_equal(values[len(ds.x_train):], np.hstack([ds.x_test, ds.y_test]))


def test_numbers_are_short_but_exact():
    ds = nn.dataset_from_arrays([[15, 4], [0.1, -0.0], [1e-45, 3.4e29]], [1.5, 2.25, 1e30], test_fraction=0.4)
    text = nn.dataset_to_csv(ds)
    assert "0.1," in text or "0.1\n" in text          # float32 0.1 is not written as 0.10000000149011612
    assert rows_bits(nn.dataset_from_csv(text, test_fraction=0.4)).tolist() == rows_bits(ds).tolist()


def test_output_names_with_commas_and_quotes_survive():
    ds = nn.dataset_from_arrays([[1, 2], [3, 4], [5, 6]], [[1, 2], [3, 4], [5, 6]], test_fraction=0.4,
                                output_names=('x, "y"', "z"))
    back = nn.dataset_from_csv(nn.dataset_to_csv(ds), test_fraction=0.4)
    assert back.output_names == ('x, "y"', "z")


# -- round trip ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("task", ["diff_sum", "product", "max"])
def test_round_trip_keeps_every_value(task):
    ds = nn.make_dataset(n=300, task=task, noise=0.25, seed=7)
    back = nn.dataset_from_csv(nn.dataset_to_csv(ds))
    assert back.task is None
    assert back.output_names == ds.output_names
    assert (len(back.x_train), len(back.x_test)) == (len(ds.x_train), len(ds.x_test))
    assert back.x.dtype == back.y.dtype == np.float32
    assert np.array_equal(rows_bits(back), rows_bits(ds))
    assert back.meta["n"] == 300 and back.meta["noise"] is None
    # the range as the CSV wrote it: the same float32 values as the data's
    assert np.array_equal(np.float32(back.meta["a_range"]), [ds.x[:, 0].min(), ds.x[:, 0].max()])


def test_split_follows_test_fraction_and_seed():
    text = nn.dataset_to_csv(nn.make_dataset(n=100))
    a = nn.dataset_from_csv(text, test_fraction=0.3, seed=1)
    b = nn.dataset_from_csv(text, test_fraction=0.3, seed=1)
    c = nn.dataset_from_csv(text, test_fraction=0.3, seed=2)
    assert (len(a.x_train), len(a.x_test)) == (70, 30)
    assert np.array_equal(a.x_test, b.x_test)
    assert not np.array_equal(a.x_test, c.x_test)
    assert a.meta["test_fraction"] == 0.3 and a.meta["seed"] == 1


LIMIT = float(np.float32(1e30))   # float32's 1e30 (just above 1e30) still reads back as "1e+30"
finite_float32 = st.floats(min_value=-LIMIT, max_value=LIMIT, width=32, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(data=st.integers(2, 40).flatmap(lambda n: st.integers(1, 8).flatmap(
    lambda k: hnp.arrays(np.float32, (n, 2 + k), elements=finite_float32))))
def test_property_random_float32_data_round_trips_exactly(data):
    names = tuple(f"t{i}" for i in range(data.shape[1] - 2))
    ds = nn.Dataset(data[:1, :2], data[:1, 2:], data[1:, :2], data[1:, 2:], output_names=names)
    back = nn.dataset_from_csv(nn.dataset_to_csv(ds), test_fraction=0.5)
    assert back.output_names == names
    assert np.array_equal(rows_bits(back), rows_bits(ds))


# -- what it accepts -------------------------------------------------------------------------------------
def test_accepts_bom_crlf_case_spaces_and_blank_lines():
    text = "\ufeff A ,B , total \r\n1,2,3\r\n\r\n 4 , 5 ,6\r\n7,8,9.5\r\n\r\n\r\n"
    ds = nn.dataset_from_csv(text, test_fraction=0.34)
    assert ds.output_names == ("total",)
    assert sorted(ds.x[:, 0].tolist()) == [1, 4, 7]
    assert sorted(ds.y[:, 0].tolist()) == [3, 6, 9.5]


def test_accepts_bytes_in_utf8():
    ds = nn.dataset_from_csv("a,b,größe\n1,2,3\n4,5,6\n".encode(), test_fraction=0.5)
    assert ds.output_names == ("größe",)


def test_max_rows_is_the_limit():
    text = "a,b,y\n" + "1,2,3\n" * 10
    assert len(nn.dataset_from_csv(text, max_rows=10).x) == 10
    e = error(text + "1,2,3\n", max_rows=10)
    assert e.field == "csv" and e.message.startswith("more than 10 rows")
    assert "more than 100,000 rows" in error("a,b,y\n" + "1,2,3\n" * 100_001, max_rows=100_000).message


# -- errors ----------------------------------------------------------------------------------------------
GOOD = "a,b,d,s\n15,4,11,19\n12,3,9,15\n"


@pytest.mark.parametrize("text, message", [
    ("", "the file is empty"),
    ("\n\n", "the file is empty"),
    ("a,b,s\n", "no data rows"),
    ("a,b,s\n1,2,3\n", "only 1 data row"),
    ("a,b\n1,2\n3,4\n", "the header must start with a,b and name at least one target"),
    ("x,y,s\n1,2,3\n3,4,5\n", "the header must start with a,b and name at least one target (row 1 is 'x,y,s')"),
    ("1,2,3\n3,4,5\n", "the header must start with a,b"),
    ("b,a,s\n1,2,3\n3,4,5\n", "the header must start with a,b"),
    ("a;b;s\n1;2;3\n", "row 1: separate the columns with commas, not semicolons"),
    ("a,b,s,\n1,2,3,4\n5,6,7,8\n", "the header's column 4 has no name"),
    ("a,b,s,S\n1,2,3,4\n5,6,7,8\n", "twice"),
    ("a,b,a\n1,2,3\n5,6,7\n", "twice"),
    ("a,b," + "x" * 33 + "\n1,2,3\n4,5,6\n", "longer than 32 characters"),
    ("a,b," + ",".join(f"t{i}" for i in range(9)) + "\n", "the header names 9 targets; at most 8"),
    (GOOD + "7,8,9\n", "row 4 has 3 values, the header has 4"),
    (GOOD + "7,8,9,10,11\n", "row 4 has 5 values, the header has 4"),
    (GOOD + "7\n", "row 4 has 1 value, the header has 4"),
    ("a,b,d,s\n15,4,11,19\n12,abc,9,15\n", "row 3: 'abc' is not a number"),
    ("a,b,d,s\n15,4,11,19\n\n\n12,3,9,\n", "row 5: '' is not a number"),
    (GOOD + "1,2,nan,4\n", "row 4: 'nan' is not a finite number"),
    (GOOD + "1,2,3,-inf\n", "row 4: '-inf' is not a finite number"),
    (GOOD + "1,2,3,1e400\n", "row 4: '1e400' is not a finite number"),
    (GOOD + "1,2e30,3,4\n", "row 4: 2e30 is outside ±1e30"),
    ("a,b,s\n1,2,3\n4,5,6\n", "2 rows cannot be split into non-empty training and test sets with 20% for testing"),
])
def test_errors_name_the_row(text, message):
    e = error(text)
    assert e.field == "csv"
    assert message in e.message, e.message


def test_row_numbers_count_lines_as_a_spreadsheet_does():
    # \r\n endings, a quoted value spanning two lines: the error names the line where the bad row ends
    text = 'a,b,s\r\n1,2,3\r\n4,5,"6\r\n"\r\n7,x,9\r\n'
    assert error(text).message == "row 5: 'x' is not a number"


def test_not_utf8():
    e = error(b"a,b,s\n1,2,\xff\n")
    assert e.field == "csv" and "not UTF-8" in e.message


@pytest.mark.parametrize("kw, field", [(dict(test_fraction=1.0), "test_fraction"), (dict(seed=-1), "seed")])
def test_split_settings_keep_their_field(kw, field):
    assert error(GOOD + "1,2,3,4\n", **kw).field == field


def test_a_long_value_is_shortened_in_the_message():
    e = error(GOOD + "1,2,3," + "z" * 500 + "\n")
    assert len(e.message) < 100 and "row 4" in e.message
