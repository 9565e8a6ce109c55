"""The demo's instruments and firm layout: plain data, no Django."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal


@dataclass(frozen=True)
class Underlier:
    """An instrument whose price is simulated directly (everything except options)."""

    symbol: str
    name: str
    asset_class: str
    currency: str
    block: str  # correlation block
    start: float  # first close of the history
    vol: float  # annualised volatility
    multiplier: Decimal = Decimal("1")
    margin_rate: Decimal = Decimal("0.25")
    places: int = 2  # decimal places of the simulated prices
    dividend_yield: Decimal = Decimal("0")


def _eq(symbol: str, name: str, block: str, start: float, vol: float, currency: str = "USD") -> Underlier:
    return Underlier(symbol, name, "equity", currency, block, start, vol, dividend_yield=Decimal("0.01"))


UNDERLIERS: tuple[Underlier, ...] = (
    # US equities (USD)
    _eq("AAPL", "Apple", "us_tech", 150.0, 0.27),
    _eq("MSFT", "Microsoft", "us_tech", 310.0, 0.25),
    _eq("NVDA", "NVIDIA", "us_tech", 45.0, 0.50),
    _eq("AMZN", "Amazon", "us_tech", 130.0, 0.33),
    _eq("GOOGL", "Alphabet", "us_tech", 125.0, 0.30),
    _eq("META", "Meta Platforms", "us_tech", 290.0, 0.38),
    _eq("TSLA", "Tesla", "us_tech", 240.0, 0.58),
    _eq("JPM", "JPMorgan Chase", "us_fin", 145.0, 0.23),
    _eq("BAC", "Bank of America", "us_fin", 30.0, 0.28),
    _eq("GS", "Goldman Sachs", "us_fin", 330.0, 0.26),
    _eq("XOM", "Exxon Mobil", "energy", 105.0, 0.27),
    _eq("CVX", "Chevron", "energy", 160.0, 0.26),
    _eq("JNJ", "Johnson & Johnson", "us_defensive", 160.0, 0.16),
    _eq("PFE", "Pfizer", "us_defensive", 35.0, 0.24),
    _eq("UNH", "UnitedHealth", "us_defensive", 490.0, 0.22),
    _eq("KO", "Coca-Cola", "us_defensive", 60.0, 0.15),
    _eq("PG", "Procter & Gamble", "us_defensive", 150.0, 0.15),
    _eq("WMT", "Walmart", "us_defensive", 55.0, 0.18),
    _eq("GME", "GameStop", "meme", 20.0, 0.80),
    _eq("AMC", "AMC Entertainment", "meme", 5.0, 0.90),
    _eq("SPY", "SPDR S&P 500 ETF", "us_index", 440.0, 0.16),
    # European equities (EUR)
    _eq("SAP.DE", "SAP", "eu_equity", 125.0, 0.26, "EUR"),
    _eq("ASML.AS", "ASML", "eu_equity", 600.0, 0.35, "EUR"),
    _eq("SIE.DE", "Siemens", "eu_equity", 150.0, 0.24, "EUR"),
    _eq("MC.PA", "LVMH", "eu_equity", 780.0, 0.27, "EUR"),
    _eq("TTE.PA", "TotalEnergies", "energy", 58.0, 0.23, "EUR"),
    _eq("ALV.DE", "Allianz", "eu_equity", 220.0, 0.20, "EUR"),
    _eq("BNP.PA", "BNP Paribas", "eu_equity", 58.0, 0.28, "EUR"),
    _eq("SAN.MC", "Banco Santander", "eu_equity", 3.6, 0.30, "EUR"),
    _eq("AIR.PA", "Airbus", "eu_equity", 130.0, 0.28, "EUR"),
    _eq("OR.PA", "L'Oreal", "eu_equity", 400.0, 0.20, "EUR"),
    # Futures: notional = price x multiplier
    Underlier(
        "ESZ26", "E-mini S&P 500", "future", "USD", "us_index", 4400.0, 0.16, Decimal("50"), Decimal("0.06")
    ),
    Underlier(
        "NQZ26",
        "E-mini Nasdaq-100",
        "future",
        "USD",
        "us_tech",
        15000.0,
        0.22,
        Decimal("20"),
        Decimal("0.07"),
    ),
    Underlier(
        "CLF27", "WTI crude oil", "future", "USD", "energy", 80.0, 0.35, Decimal("1000"), Decimal("0.10")
    ),
    Underlier("GCG27", "Gold", "future", "USD", "commodity", 1950.0, 0.15, Decimal("100"), Decimal("0.06")),
    Underlier(
        "ZNZ26", "10-year T-note", "future", "USD", "rates", 110.0, 0.06, Decimal("1000"), Decimal("0.03"), 4
    ),
    Underlier(
        "FESXZ26", "Euro Stoxx 50", "future", "EUR", "eu_equity", 4300.0, 0.18, Decimal("10"), Decimal("0.07")
    ),
    Underlier(
        "FGBLZ26", "Euro-Bund", "future", "EUR", "rates", 130.0, 0.07, Decimal("1000"), Decimal("0.03"), 4
    ),
    Underlier("6EZ26", "Euro FX", "future", "USD", "fx", 1.09, 0.07, Decimal("125000"), Decimal("0.03"), 5),
    # FX spot: quantity in units of the base currency, priced in the quote currency
    Underlier(
        "EURUSD", "Euro / US dollar", "fx", "USD", "fx", 1.09, 0.07, margin_rate=Decimal("0.03"), places=5
    ),
    Underlier(
        "GBPUSD", "Pound / US dollar", "fx", "USD", "fx", 1.26, 0.08, margin_rate=Decimal("0.03"), places=5
    ),
    Underlier(
        "USDJPY", "US dollar / yen", "fx", "JPY", "fx_jpy", 145.0, 0.09, margin_rate=Decimal("0.03"), places=3
    ),
    Underlier(
        "AUDUSD", "Aussie / US dollar", "fx", "USD", "fx", 0.67, 0.10, margin_rate=Decimal("0.04"), places=5
    ),
    Underlier(
        "USDCHF",
        "US dollar / franc",
        "fx",
        "CHF",
        "fx_jpy",
        0.89,
        0.07,
        margin_rate=Decimal("0.03"),
        places=5,
    ),
    Underlier("EURGBP", "Euro / pound", "fx", "GBP", "fx", 0.86, 0.05, margin_rate=Decimal("0.03"), places=5),
    # Crypto
    Underlier("BTC-USD", "Bitcoin", "crypto", "USD", "crypto", 30000.0, 0.55, margin_rate=Decimal("0.50")),
    Underlier("ETH-USD", "Ether", "crypto", "USD", "crypto", 1900.0, 0.65, margin_rate=Decimal("0.50")),
    Underlier(
        "SOL-USD", "Solana", "crypto", "USD", "crypto", 22.0, 0.85, margin_rate=Decimal("0.50"), places=3
    ),
)

# FX spot instruments double as the FX rate feed: symbol -> (base, quote).
FX_PAIRS: dict[str, tuple[str, str]] = {
    "EURUSD": ("EUR", "USD"),
    "GBPUSD": ("GBP", "USD"),
    "USDJPY": ("USD", "JPY"),
    "AUDUSD": ("AUD", "USD"),
    "USDCHF": ("USD", "CHF"),
    "EURGBP": ("EUR", "GBP"),
}

RISK_FREE_RATES: dict[str, Decimal] = {
    "USD": Decimal("0.043"),
    "EUR": Decimal("0.025"),
    "GBP": Decimal("0.045"),
    "JPY": Decimal("0.001"),
    "CHF": Decimal("0.010"),
    "AUD": Decimal("0.040"),
}

# Listed options: (underlying, multiplier); strikes are set around the latest price.
OPTION_UNDERLYINGS: tuple[tuple[str, Decimal], ...] = (
    ("AAPL", Decimal("100")),
    ("MSFT", Decimal("100")),
    ("NVDA", Decimal("100")),
    ("SPY", Decimal("100")),
    ("SAP.DE", Decimal("100")),
)
STRIKE_MONEYNESS = (0.9, 1.1)  # one strike below and one above the money, for calls and puts
EXPIRY_MONTHS_AHEAD = (2, 5)


def third_friday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(4 - first.weekday()) % 7 + 14)


def option_expiries(today: date) -> tuple[date, ...]:
    """Third Fridays a few months ahead: stable for every run in the same month."""
    result = []
    for ahead in EXPIRY_MONTHS_AHEAD:
        month_index = today.month - 1 + ahead
        result.append(third_friday(today.year + month_index // 12, month_index % 12 + 1))
    return tuple(result)


def strike_for(price: float, moneyness: float) -> Decimal:
    """A listed-looking strike near price x moneyness (steps of 1, 5 or 10 by price level)."""
    target = price * moneyness
    step = 1 if target < 100 else 5 if target < 500 else 10
    return Decimal(max(step, round(target / step) * step))


def option_symbol(underlying: str, expiry: date, option_type: str, strike: Decimal) -> str:
    return f"{underlying}-{expiry:%y%m%d}{option_type[0].upper()}{strike.normalize():f}"


# --- the firm ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoAccount:
    code: str
    name: str
    base_currency: str
    desk: str
    strategies: tuple[tuple[str, str], ...]
    universe: tuple[str, ...]  # the underliers it trades ("options" adds options on them)
    deposit: Decimal


_EQ_US = (
    "AAPL",
    "MSFT",
    "NVDA",
    "AMZN",
    "GOOGL",
    "META",
    "TSLA",
    "JPM",
    "BAC",
    "GS",
    "JNJ",
    "KO",
    "PG",
    "WMT",
)
_EQ_EU = ("SAP.DE", "ASML.AS", "SIE.DE", "MC.PA", "TTE.PA", "ALV.DE", "BNP.PA", "SAN.MC", "AIR.PA", "OR.PA")
_MACRO = ("ESZ26", "NQZ26", "CLF27", "GCG27", "ZNZ26", "FESXZ26", "FGBLZ26", "6EZ26")
_FX = ("EURUSD", "GBPUSD", "USDJPY", "AUDUSD", "USDCHF", "EURGBP")
_CRYPTO = ("BTC-USD", "ETH-USD", "SOL-USD")

EQUITY_DESK = "EQ-DESK"
MACRO_DESK = "MACRO-DESK"
DESKS = {EQUITY_DESK: "Equities and options desk", MACRO_DESK: "Macro, FX and crypto desk"}

ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        "EQ-US-01",
        "US equity long/short",
        "USD",
        EQUITY_DESK,
        (("momo", "Momentum"), ("meanrev", "Mean reversion")),
        _EQ_US,
        Decimal("8000000"),
    ),
    DemoAccount(
        "EQ-US-02",
        "US large-cap value",
        "USD",
        EQUITY_DESK,
        (("value", "Value"), ("hedge", "Index hedge")),
        (*_EQ_US, "SPY", "XOM", "CVX"),
        Decimal("6000000"),
    ),
    DemoAccount(
        "EQ-US-03",
        "US sector rotation",
        "USD",
        EQUITY_DESK,
        (("rotation", "Sector rotation"), ("pairs", "Pairs")),
        (*_EQ_US[7:], "XOM", "CVX", "PFE", "UNH"),
        Decimal("5000000"),
    ),
    DemoAccount(
        "EQ-EU-01",
        "European equity long/short",
        "EUR",
        EQUITY_DESK,
        (("momo", "Momentum"), ("quality", "Quality")),
        _EQ_EU,
        Decimal("6000000"),
    ),
    DemoAccount(
        "EQ-EU-02",
        "European event-driven",
        "EUR",
        EQUITY_DESK,
        (("events", "Events"), ("hedge", "Index hedge")),
        (*_EQ_EU[:6], "FESXZ26"),
        Decimal("4000000"),
    ),
    DemoAccount(
        "VOL-US-01",
        "US index and single-stock volatility",
        "USD",
        EQUITY_DESK,
        (("vol", "Volatility"), ("delta", "Delta hedge")),
        ("AAPL", "MSFT", "NVDA", "SPY", "options"),
        Decimal("7000000"),
    ),
    DemoAccount(
        "VOL-EU-01",
        "European volatility",
        "EUR",
        EQUITY_DESK,
        (("vol", "Volatility"), ("delta", "Delta hedge")),
        ("SAP.DE", "FESXZ26", "options"),
        Decimal("3000000"),
    ),
    DemoAccount(
        "MACRO-01",
        "Global macro",
        "USD",
        MACRO_DESK,
        (("rates", "Rates"), ("commod", "Commodities"), ("equity", "Equity index")),
        _MACRO,
        Decimal("12000000"),
    ),
    DemoAccount(
        "MACRO-EU-01",
        "European macro",
        "EUR",
        MACRO_DESK,
        (("rates", "Rates"), ("equity", "Equity index")),
        ("FESXZ26", "FGBLZ26", "EURUSD", "EURGBP"),
        Decimal("5000000"),
    ),
    DemoAccount(
        "FX-01",
        "G10 FX",
        "USD",
        MACRO_DESK,
        (("carry", "Carry"), ("trend", "Trend")),
        _FX,
        Decimal("5000000"),
    ),
    DemoAccount(
        "FX-EU-01",
        "EUR crosses",
        "EUR",
        MACRO_DESK,
        (("carry", "Carry"), ("trend", "Trend")),
        ("EURUSD", "EURGBP", "GBPUSD", "USDCHF"),
        Decimal("3000000"),
    ),
    DemoAccount(
        "CRYPTO-01",
        "Digital assets",
        "USD",
        MACRO_DESK,
        (("basis", "Basis"), ("trend", "Trend")),
        _CRYPTO,
        Decimal("4000000"),
    ),
    DemoAccount(
        "MULTI-01",
        "Multi-asset",
        "USD",
        MACRO_DESK,
        (("core", "Core"), ("tactical", "Tactical"), ("tail", "Tail hedge")),
        ("SPY", "ESZ26", "GCG27", "ZNZ26", "EURUSD", "BTC-USD", "AAPL", "SAP.DE"),
        Decimal("10000000"),
    ),
    DemoAccount(
        "MULTI-EU-01",
        "Multi-asset EUR",
        "EUR",
        MACRO_DESK,
        (("core", "Core"), ("tactical", "Tactical")),
        ("SAP.DE", "MC.PA", "FESXZ26", "FGBLZ26", "EURUSD", "ETH-USD"),
        Decimal("6000000"),
    ),
)

DEMO_PASSWORD = "riskplatform-demo"  # noqa: S105 - printed at the end; a demo, never production
ADMIN_USERNAME = "admin"
RISK_MANAGER = "risk"
TRADERS = ("trader1", "trader2")
VIEWER = "auditor"
OMS_USER = "oms"
