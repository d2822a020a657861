import pytest

from emulator.core.suggest import did_you_mean

CHOICES = ("provider", "from", "to", "text")


def test_names_the_closest_choice():
    assert did_you_mean("form", CHOICES) == " (did you mean 'from'?)"


@pytest.mark.parametrize(
    ("value", "hint"), [("TO", "to"), ("Form", "from"), ("PROVIDR", "provider")]
)
def test_case_is_ignored_and_the_choice_is_named_as_spelled(value, hint):
    assert did_you_mean(value, CHOICES) == f" (did you mean {hint!r}?)"


def test_of_choices_differing_only_in_case_the_first_is_named():
    assert did_you_mean("FROMM", ("From", "from")) == " (did you mean 'From'?)"


def test_non_string_values_are_compared_as_text():
    assert did_you_mean(1, ("1x", "zz")) == " (did you mean '1x'?)"


def test_no_close_choice_lists_them_all_when_asked():
    assert did_you_mean("zzz", CHOICES, listing="known") == " (known: provider, from, to, text)"


def test_no_close_choice_and_no_listing_adds_nothing():
    assert did_you_mean("zzz", CHOICES) == ""


def test_a_lower_cutoff_finds_looser_matches():
    assert did_you_mean("msg", ("messages",)) == ""  # similarity 0.55
    assert did_you_mean("msg", ("messages",), cutoff=0.5) == " (did you mean 'messages'?)"
