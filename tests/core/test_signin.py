"""What providers say about people, and usernames made from it (pure: no app)."""

import pytest

from wiki.core.signin import (
    USERNAME,
    format_recovery_code,
    github_profile,
    normalise_code,
    oidc_profile,
    suggest_username,
    username_from,
    wordpress_profile,
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("anna", "anna"),
        ("Anna Maria Rossi", "Anna.Maria.Rossi"),
        ("  josé ", "josé"),
        ("ｆｕｌｌ", "full"),  # NFKC
        ("__a", ""),  # too short once cleaned
        ("a@b.example", "a.b.example"),
        ("...dots...", "dots"),
        ("x" * 60, "x" * 40),
        ("a--b..c", "a-b.c"),
        ("李小龙", "李小龙"),
        ("", ""),
        ("!!!", ""),
    ],
)
def test_a_name_becomes_a_valid_username_or_nothing(name, expected):
    made = username_from(name)
    assert made == expected
    assert made == "" or USERNAME.match(made)


def test_suggestions_take_the_first_usable_name_and_number_it_when_taken():
    taken = {"anna", "anna2"}
    assert suggest_username(["!!", "anna"], taken.__contains__) == "anna3"
    assert suggest_username(["bob"], taken.__contains__) == "bob"
    assert suggest_username([], taken.__contains__) == "member"
    long = "y" * 40
    assert suggest_username([long], {long}.__contains__) == "y" * 39 + "2"


def test_an_openid_profile_reads_the_standard_claims():
    profile = oidc_profile(
        {
            "sub": "248289761001",
            "email": "jane@example.com",
            "email_verified": "true",
            "preferred_username": "j.doe",
            "name": "Jane Doe",
        }
    )
    assert profile.subject == "248289761001"
    assert (profile.email, profile.email_verified) == ("jane@example.com", True)
    assert profile.names == ("j.doe", "Jane Doe", "jane")
    assert profile.display == "jane@example.com"


@pytest.mark.parametrize("flag", [False, "false", None, 1, "yes"])
def test_only_a_clear_yes_verifies_an_address(flag):
    profile = oidc_profile({"sub": "1", "email": "a@example.com", "email_verified": flag})
    assert profile.email_verified is False


def test_claims_of_the_wrong_type_are_ignored():
    profile = oidc_profile({"sub": 42, "email": ["x"], "name": {"a": 1}, "nickname": True})
    assert (profile.subject, profile.email, profile.names) == ("42", "", ())


def test_github_prefers_the_primary_verified_address():
    user = {"id": 583231, "login": "octocat", "name": "The Octocat", "email": "public@x.test"}
    emails = [
        {"email": "old@x.test", "verified": True, "primary": False},
        {"email": "main@x.test", "verified": True, "primary": True},
    ]
    profile = github_profile(user, emails)
    assert (profile.subject, profile.display) == ("583231", "octocat")
    assert (profile.email, profile.email_verified) == ("main@x.test", True)
    unverified = github_profile(user, [{"email": "u@x.test", "verified": False, "primary": True}])
    assert (unverified.email, unverified.email_verified) == ("public@x.test", False)


def test_wordpress_reads_its_me_answer():
    profile = wordpress_profile(
        {"ID": 1234, "username": "poet", "display_name": "A Poet", "email": "p@x.test",
         "email_verified": True}
    )  # fmt: skip
    assert (profile.subject, profile.names[0], profile.email_verified) == ("1234", "poet", True)


def test_recovery_codes_are_typed_forgivingly():
    assert format_recovery_code("abcdefghjk") == "abcde-fghjk"
    assert normalise_code(" ABCDE-fghjk ") == "abcdefghjk"
    assert normalise_code("123 456") == "123456"
