"""Codat's data type names in the words a person uses ("Chart of accounts", not chartOfAccounts).

The names are the values of the ``DataType`` enum of Codat's Platform API (``DataStatus.dataType``
in Codat-Platform.json; see codat-api-facts.md, "Data types"). A name not listed here (a new type,
or a ``banking-*`` / ``commerce-*`` one) is spelt out from its camel case, so nothing shows raw.
"""

from __future__ import annotations

import re

DATA_TYPE_WORDS: dict[str, str] = {
    "accountTransactions": "Account transactions",
    "balanceSheet": "Balance sheet",
    "bankAccounts": "Bank accounts",
    "bankTransactions": "Bank transactions",
    "billCreditNotes": "Bill credit notes",
    "billPayments": "Bill payments",
    "bills": "Bills",
    "cashFlowStatement": "Cash flow statement",
    "chartOfAccounts": "Chart of accounts",
    "company": "Company information",
    "creditNotes": "Credit notes",
    "customers": "Customers",
    "directCosts": "Direct costs",
    "directIncomes": "Direct incomes",
    "invoices": "Invoices",
    "itemReceipts": "Item receipts",
    "items": "Items",
    "journalEntries": "Journal entries",
    "journals": "Journals",
    "paymentMethods": "Payment methods",
    "payments": "Payments",
    "profitAndLoss": "Profit and loss",
    "purchaseOrders": "Purchase orders",
    "salesOrders": "Sales orders",
    "suppliers": "Suppliers",
    "taxRates": "Tax rates",
    "trackingCategories": "Tracking categories",
    "transfers": "Transfers",
}

_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def data_type_words(name: str) -> str:
    """``"chartOfAccounts"`` -> ``"Chart of accounts"``; ``"banking-accountBalances"`` ->
    ``"Banking: account balances"``; an empty name stays empty."""
    known = DATA_TYPE_WORDS.get(name)
    if known is not None:
        return known
    area, _, rest = name.partition("-")
    if rest:
        return f"{area.capitalize()}: {_spell(rest).lower()}"
    return _spell(name)


def data_type_in_sentence(name: str) -> str:
    """A data type's words inside a sentence ("Sync of bill credit notes", "could not fetch bill
    payments"); an acronym at the start (two capitals) keeps its case."""
    words = data_type_words(name)
    if words[:2].isupper():
        return words
    return words[:1].lower() + words[1:]


def _spell(camel: str) -> str:
    words = _HUMP.sub(" ", camel).replace("_", " ").strip()
    return words[:1].upper() + words[1:].lower() if words else ""
