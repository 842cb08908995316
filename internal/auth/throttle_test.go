package auth

import (
	"net/netip"
	"slices"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 29, 20, 0, 0, 0, time.UTC)

func TestBackoff(t *testing.T) {
	t.Parallel()
	want := []time.Duration{1, 2, 4, 8, 16, 32, 64, 128, 256, 512}
	for n, w := range want {
		if got := backoff(n); got != w*time.Second {
			t.Errorf("backoff(%d) = %s, want %s", n, got, w*time.Second)
		}
	}
	for _, n := range []int{10, 11, 63, 64, 1 << 30} {
		if got := backoff(n); got != PairMaxWait {
			t.Errorf("backoff(%d) = %s, want the cap %s", n, got, PairMaxWait)
		}
	}
}

func TestRefuseLogin(t *testing.T) {
	t.Parallel()
	th := Throttle{PairFreeFailures: 5, AccountMaxFailures: 100, IPMaxFailures: 100}
	rec := func(count int, ends, last time.Time) *AttemptRecord {
		return &AttemptRecord{Count: count, WindowEnds: ends, LastAt: last}
	}
	day := t0.Add(AccountWindow)
	cases := []struct {
		name      string
		th        Throttle
		v         loginView
		now       time.Time
		wantScope string
		wantWait  time.Duration
	}{
		{"nothing stored", th, loginView{}, t0, "", 0},
		{"pair below the free failures", th, loginView{pair: rec(4, day, t0)}, t0, "", 0},
		{"pair at the free failures waits 1 s", th, loginView{pair: rec(5, day, t0)}, t0, ScopePair, time.Second},
		{"pair wait measured from the last failure", th, loginView{pair: rec(5, day, t0)}, t0.Add(time.Second), "", 0},
		{"pair 8th failure waits 8 s", th, loginView{pair: rec(8, day, t0)}, t0.Add(3 * time.Second), ScopePair, 5 * time.Second},
		{"pair wait capped at 15 min", th, loginView{pair: rec(60, day, t0)}, t0, ScopePair, PairMaxWait},
		{"pair wait outlives its window", th, loginView{pair: rec(60, t0.Add(time.Minute), t0)}, t0.Add(2 * time.Minute), ScopePair, PairMaxWait - 2*time.Minute},
		{"pair off", Throttle{}, loginView{pair: rec(60, day, t0)}, t0, "", 0},
		{"ip below the limit", th, loginView{ip: rec(99, t0.Add(IPWindow), t0)}, t0, "", 0},
		{"ip at the limit waits for the window", th, loginView{ip: rec(100, t0.Add(IPWindow), t0)}, t0.Add(5 * time.Minute), ScopeIP, 10 * time.Minute},
		{"ip window over", th, loginView{ip: rec(500, t0.Add(IPWindow), t0)}, t0.Add(IPWindow), "", 0},
		{"account at the limit, unknown ip", th, loginView{account: rec(100, day, t0)}, t0.Add(time.Hour), ScopeAccount, 23 * time.Hour},
		{"account at the limit, known ip", th, loginView{account: rec(100, day, t0), known: rec(0, t0.Add(KnownIPFor), t0)}, t0.Add(time.Hour), "", 0},
		{"account at the limit, known record expired", th, loginView{account: rec(100, day, t0), known: rec(0, t0, t0.Add(-KnownIPFor))}, t0.Add(time.Hour), ScopeAccount, 23 * time.Hour},
		{"account window over", th, loginView{account: rec(100, day, t0)}, day, "", 0},
		{"account off", Throttle{PairFreeFailures: 5}, loginView{account: rec(100, day, t0)}, t0, "", 0},
		{"the longest wait wins", th, loginView{pair: rec(5, day, t0), ip: rec(100, t0.Add(IPWindow), t0), account: rec(100, day, t0)}, t0, ScopeAccount, AccountWindow},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, refused := longest(tc.th.loginWaits(tc.v, tc.now))
			if refused != (tc.wantWait > 0) || r.scope != tc.wantScope || r.wait != tc.wantWait {
				t.Errorf("longest(loginWaits) = %+v, %v; want scope %q wait %s", r, refused, tc.wantScope, tc.wantWait)
			}
		})
	}
}

func TestFailureHits(t *testing.T) {
	t.Parallel()
	keys := NewAttemptKeys([]byte("material"))
	ip := netip.MustParseAddr("192.0.2.7")
	th := Throttle{PairFreeFailures: 5, AccountMaxFailures: 100, IPMaxFailures: 100, Keys: keys}
	hits := th.failureHits([]string{"alice", "alice@example.com"}, ip, t0)
	want := []CounterHit{
		{Key: keys.pair("alice", ip), WindowEnds: t0.Add(PairWindow)},
		{Key: keys.account("alice"), WindowEnds: t0.Add(AccountWindow)},
		{Key: keys.pair("alice@example.com", ip), WindowEnds: t0.Add(PairWindow)},
		{Key: keys.account("alice@example.com"), WindowEnds: t0.Add(AccountWindow)},
		{Key: keys.ip(ip), WindowEnds: t0.Add(IPWindow)},
	}
	if len(hits) != len(want) {
		t.Fatalf("%d hits, want %d", len(hits), len(want))
	}
	for i := range want {
		if hits[i].Key != want[i].Key || !hits[i].WindowEnds.Equal(want[i].WindowEnds) {
			t.Errorf("hit %d = %x until %s, want %x until %s", i, hits[i].Key[:4], hits[i].WindowEnds, want[i].Key[:4], want[i].WindowEnds)
		}
	}
	only := Throttle{IPMaxFailures: 3, Keys: keys}.failureHits([]string{"alice"}, ip, t0)
	if len(only) != 1 || only[0].Key != keys.ip(ip) {
		t.Errorf("with only the IP rule on: %d hits, want the IP's alone", len(only))
	}
}

func TestSuccess(t *testing.T) {
	t.Parallel()
	keys := NewAttemptKeys([]byte("material"))
	ip := netip.MustParseAddr("2001:db8::1")
	th := Throttle{PairFreeFailures: 5, AccountMaxFailures: 100, Keys: keys}
	names := []string{"bob", "bob@example.com"}
	cases := []struct {
		name       string
		v          loginView
		wantForget bool
		wantKnown  bool
	}{
		{"first login from this ip", loginView{}, false, true},
		{"known record fresh", loginView{known: &AttemptRecord{LastAt: t0.Add(-time.Minute)}}, false, false},
		{"known record due for renewal", loginView{known: &AttemptRecord{LastAt: t0.Add(-knownRefresh)}}, false, true},
		{"failures to reset", loginView{pair: &AttemptRecord{Count: 3}, known: &AttemptRecord{LastAt: t0}}, true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, write := th.success(names, ip, tc.v, t0)
			if write != (tc.wantForget || tc.wantKnown) {
				t.Errorf("write = %v", write)
			}
			if got := len(s.Forget) == 2 && s.Forget[0] == keys.pair("bob", ip) && s.Forget[1] == keys.pair("bob@example.com", ip); got != tc.wantForget {
				t.Errorf("Forget = %d keys, want the pair under both names: %v", len(s.Forget), tc.wantForget)
			}
			if got := len(s.Known) == 2 && s.Known[0] == keys.known("bob", ip) && s.Known[1] == keys.known("bob@example.com", ip); got != tc.wantKnown {
				t.Errorf("Known = %d keys, want the known record under both names: %v", len(s.Known), tc.wantKnown)
			}
			if !s.KnownUntil.Equal(t0.Add(KnownIPFor)) {
				t.Errorf("KnownUntil = %s", s.KnownUntil)
			}
		})
	}
}

// TestAttemptKeys: keys differ by kind, account, IP and key material; an
// IPv4-mapped address is its IPv4 address; one material gives one key on
// every replica.
func TestAttemptKeys(t *testing.T) {
	t.Parallel()
	k := NewAttemptKeys([]byte("material"))
	v4 := netip.MustParseAddr("192.0.2.7")
	mapped := netip.MustParseAddr("::ffff:192.0.2.7")
	other := netip.MustParseAddr("192.0.2.8")
	if k.pair("alice", v4) != k.pair("alice", mapped) {
		t.Error("IPv4-mapped IPv6 gives another key than its IPv4 address")
	}
	if k.pair("alice", v4) != NewAttemptKeys([]byte("material")).pair("alice", v4) {
		t.Error("one material gives two keys")
	}
	distinct := map[AttemptKey]string{}
	for name, key := range map[string]AttemptKey{
		"pair":               k.pair("alice", v4),
		"pair other ip":      k.pair("alice", other),
		"pair other account": k.pair("alicf", v4),
		"known":              k.known("alice", v4),
		"account":            k.account("alice"),
		"ip":                 k.ip(v4),
		"register":           k.register(v4),
		"other material":     NewAttemptKeys([]byte("material2")).pair("alice", v4),
		// Length prefixes: "ab"+"c" is not "a"+"bc".
		"split parts":  k.key(kindPair, []byte("ab"), []byte("c")),
		"split parts2": k.key(kindPair, []byte("a"), []byte("bc")),
	} {
		if prev, dup := distinct[key]; dup {
			t.Errorf("%s and %s share a key", name, prev)
		}
		distinct[key] = name
	}
}

func TestAllowance(t *testing.T) {
	t.Parallel()
	k := loginKeys{pair: AttemptKey{1}, account: AttemptKey{2}, ip: AttemptKey{3}, known: AttemptKey{4}}
	th := Throttle{PairFreeFailures: 5, AccountMaxFailures: 100, IPMaxFailures: 50}
	live := func(n int) *AttemptRecord { return &AttemptRecord{Count: n, WindowEnds: t0.Add(time.Hour), LastAt: t0} }
	ended := &AttemptRecord{Count: 40, WindowEnds: t0, LastAt: t0.Add(-time.Hour)}
	cases := []struct {
		name string
		th   Throttle
		v    loginView
		want []inFlightSlot
	}{
		{"nothing stored", th, loginView{}, []inFlightSlot{{k.pair, 5, ScopePair}, {k.ip, 50, ScopeIP}, {k.account, 100, ScopeAccount}}},
		{"what the counts leave", th, loginView{pair: live(4), ip: live(45), account: live(99)},
			[]inFlightSlot{{k.pair, 1, ScopePair}, {k.ip, 5, ScopeIP}, {k.account, 1, ScopeAccount}}},
		{"a pair whose wait is over has one", th, loginView{pair: live(9)}, []inFlightSlot{{k.pair, 1, ScopePair}, {k.ip, 50, ScopeIP}, {k.account, 100, ScopeAccount}}},
		{"ended windows count nothing", th, loginView{ip: ended, account: ended}, []inFlightSlot{{k.pair, 5, ScopePair}, {k.ip, 50, ScopeIP}, {k.account, 100, ScopeAccount}}},
		{"a known IP is not bound by the account", th, loginView{known: live(0)}, []inFlightSlot{{k.pair, 5, ScopePair}, {k.ip, 50, ScopeIP}}},
		{"rules off", Throttle{PairFreeFailures: 5}, loginView{}, []inFlightSlot{{k.pair, 5, ScopePair}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := tc.th.allowance(k, tc.v, t0)
			if !slices.Equal(got, tc.want) {
				t.Errorf("allowance = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestInFlight(t *testing.T) {
	t.Parallel()
	f := newInFlight()
	a, b := AttemptKey{1}, AttemptKey{2}
	two := []inFlightSlot{{a, 2, ScopePair}, {b, 1, ScopeIP}}
	if _, ok := f.enter(two); !ok {
		t.Fatal("first enter refused")
	}
	if full, ok := f.enter(two); ok || full.scope != ScopeIP {
		t.Fatalf("second enter = %v, %v; want refused by b (ip), which allows one", full, ok)
	}
	if _, ok := f.enter(two[:1]); !ok {
		t.Fatal("a refused with one place left")
	}
	if full, ok := f.enter(two[:1]); ok || full.scope != ScopePair {
		t.Fatalf("third enter of a = %v, %v; want refused by a (pair)", full, ok)
	}
	f.leave(two)
	f.leave(two[:1])
	if len(f.n) != 0 {
		t.Errorf("entries left after every attempt left: %v", f.n)
	}
	if _, ok := f.enter(two); !ok {
		t.Error("refused after the places were given back")
	}
}
