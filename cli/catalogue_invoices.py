"""Catalogue part: invoice control: payment record's checks, payment list; ``key -> (svenska, english)``."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # -- payment record: the checks and their flags ----------------------------------------------------
    "opt.confirm_duplicate": (
        "Betala ändå fast fakturanumret redan är betalt av utföraren eller perioden överlappar en tidigare "
        "betalning för samma placering/insats: varför (fritext, personuppgift; sparas och visas i payment list).",
        "Pay all the same although the provider's invoice number is already paid or the period overlaps an earlier "
        "payment for the same placement/service: why (free text, personal data; kept and shown in payment list).",
    ),
    "opt.over_price": (
        "Betala ändå fast beloppet är mer än perioden kostar till avtalat pris (dagar × dygnspris): varför "
        "(fritext, personuppgift; sparas och visas i payment list).",
        "Pay all the same although the amount is more than the period costs at the agreed price (days × daily "
        "price): why (free text, personal data; kept and shown in payment list).",
    ),
    "duplicate_invoice": (
        "Faktura {invoice} från {provider} är redan betald i {case} ({paid}). Kontrollera att den inte betalas två "
        "gånger. Är betalningen ändå rätt: ange --confirm-duplicate \"SKÄL\".",
        "Invoice {invoice} from {provider} is already paid in {case} ({paid}). Check that it is not paid twice. "
        "If the payment is right all the same: give --confirm-duplicate \"REASON\".",
    ),
    "invoice_paid_elsewhere": (
        "Faktura {invoice} från {provider} är redan betald i ett annat ärende (se ledger payment list --invoice "
        "'{invoice}'). Kontrollera att den inte betalas två gånger. Är betalningen ändå rätt (t.ex. en faktura "
        "för flera ärenden): ange --confirm-duplicate \"SKÄL\".",
        "Invoice {invoice} from {provider} is already paid in another case (see ledger payment list --invoice "
        "'{invoice}'). Check that it is not paid twice. If the payment is right all the same (an invoice for "
        "several cases, say): give --confirm-duplicate \"REASON\".",
    ),
    "payment_period_overlap": (
        "Perioden {period_start}–{period_end} för {item} i {case} överlappar en period som redan är betald "
        "({paid}). Kontrollera fakturan; återför den tidigare betalningen om den var fel. Är betalningen ändå "
        "rätt: ange --confirm-duplicate \"SKÄL\".",
        "The period {period_start}–{period_end} for {item} in {case} overlaps a period already paid ({paid}). "
        "Check the invoice; reverse the earlier payment if it was wrong. If the payment is right all the same: "
        "give --confirm-duplicate \"REASON\".",
    ),
    "payment_over_price": (
        "Beloppet {amount} kr är mer än {item} i {case} kostar för perioden {period_start}–{period_end} "
        "({days} dagar) till avtalat pris: högst {limit} kr. Kontrollera fakturan mot dygnspriset. Är beloppet "
        "ändå rätt: ange --over-price \"SKÄL\".",
        "The amount {amount} kr is more than {item} in {case} costs for the period {period_start}–{period_end} "
        "({days} days) at the agreed price: at most {limit} kr. Check the invoice against the daily price. If the "
        "amount is right all the same: give --over-price \"REASON\".",
    ),
    "payment_after_closure": (
        "Ärende {case} avslutades {closed_on}: på ett avslutat ärende kan bara tid till och med avslutsdagen "
        "betalas eller återföras, och perioden slutar {period_end}. Gäller fakturan tid efter "
        "avslutet: öppna ärendet igen (ledger case reopen) först.",
        "Case {case} was closed on {closed_on}: on a closed case only time up to the closing day can be paid or "
        "reversed, and the period ends on {period_end}. If the invoice is for time after the "
        "closure: reopen the case (ledger case reopen) first.",
    ),
    # -- payment list ---------------------------------------------------------------------------------------
    "cmd.payment.list": (
        "Lista utbetalningar med faktura, period, belopp, återfört och skälen till betalningar som gjorts trots "
        "fakturakontrollen (dubblett, över avtalat pris). Varje ärende som visas loggas som läst.\n\n"
        "Exempel: ledger payment list --provider SKYDD1 --from 2026-03-01 --to 2026-03-31",
        "List payments with their invoice, period, amount, what was reversed and the reasons for payments made "
        "past the invoice checks (duplicate, above the agreed price). Every case shown is logged as read.\n\n"
        "Example: ledger payment list --provider SKYDD1 --from 2026-03-01 --to 2026-03-31",
    ),
    "opt.payment_case": ("Bara detta ärende, t.ex. AVH-2026-0001.", "Only this case, e.g. AVH-2026-0001."),
    "opt.payment_provider": ("Bara denna utförare (kod).", "Only this provider (code)."),
    "opt.payment_invoice": ("Bara detta fakturanummer (mellanslag och versaler spelar ingen roll).",
                            "Only this invoice number (spaces and case do not matter)."),
    "opt.payment_from": ("Bara betalningar för perioder som slutar detta datum eller senare, ÅÅÅÅ-MM-DD.",
                         "Only payments for periods that end on or after this date, YYYY-MM-DD."),
    "opt.payment_to": ("Bara betalningar för perioder som börjar detta datum eller tidigare, ÅÅÅÅ-MM-DD.",
                       "Only payments for periods that begin on or before this date, YYYY-MM-DD."),
    "title.payments": ("Utbetalningar", "Payments"),
    "label.no_payments": ("Inga utbetalningar.", "No payments."),
    "payment.col.case": ("Ärende", "Case"),
    "payment.col.payment_id": ("Betalning", "Payment"),
    "payment.col.provider": ("Utförare", "Provider"),
    "payment.col.invoice": ("Faktura", "Invoice"),
    "payment.col.period": ("Period", "Period"),
    "payment.col.amount": ("Belopp", "Amount"),
    "payment.col.reversed": ("Återfört", "Reversed"),
    "payment.col.remarks": ("Bekräftat trots kontroll", "Confirmed past the checks"),
    "payment.duplicate": ("dubblett: {reason}", "duplicate: {reason}"),
    "payment.over_price": ("över pris (högst {limit}): {reason}", "above the price (at most {limit}): {reason}"),
    "payment.no_reason": ("(skälet kan inte läsas)", "(the reason cannot be read)"),
    # -- the checks' fields of a payment, as its entry reads in case log, history and the tillsyn file ------
    "field.duplicate_of": ("dubblett av", "duplicate of"),
    "field.invoice_elsewhere": ("fakturan betald i annat ärende", "invoice paid in another case"),
    "field.price_limit": ("avtalat pris för perioden", "agreed price for the period"),
    "field.duplicate_reason": ("skäl att betala dubbletten", "why the duplicate is paid"),
    "field.over_price_reason": ("skäl att betala över avtalat pris", "why more than the agreed price is paid"),
    # -- case list --needs-attention ------------------------------------------------------------------------
    "attention.payment_duplicate": ("dubblettbetalning bekräftad", "duplicate payment confirmed"),
    "attention.payment_over_price": ("betalt över avtalat pris", "paid above the agreed price"),
}
