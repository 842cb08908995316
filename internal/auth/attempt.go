package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"net/netip"
	"strings"
	"time"
)

// AttemptKey names one throttling record: an HMAC-SHA256 of what the record
// is about (an account, a client IP, or both) under the server's throttle
// key. The table never holds a raw IP or login identifier, and, because
// the HMAC key is not in the database, a leaked table cannot be reversed by
// hashing all 2³² IPv4 addresses or a list of usernames.
type AttemptKey [sha256.Size]byte

// AttemptRecord is one stored record: a counter (Count events in the window
// that ends at WindowEnds, the last at LastAt) or, with Count 0, the record
// of an account's last successful login from one IP (LastAt), kept until
// WindowEnds.
type AttemptRecord struct {
	Key        AttemptKey
	Count      int
	WindowEnds time.Time
	LastAt     time.Time
}

// CounterHit is one event to count under Key; WindowEnds is the end of the
// window that a counter started by this hit gets.
type CounterHit struct {
	Key        AttemptKey
	WindowEnds time.Time
	// Event, when it has an Action, is written in the same transaction
	// when this hit makes the count EventAt: the account limit's
	// throttle.account_limit, once per window.
	Event   Event
	EventAt int
}

// HasLimitEvent reports whether a hit carries an event, so HitCounters
// needs a transaction rather than its one statement.
func HasLimitEvent(hits []CounterHit) bool {
	for _, h := range hits {
		if h.Event.Action != "" {
			return true
		}
	}
	return false
}

// LimitEvents are the events of hits whose count, as recs report it
// after the write, reached their EventAt: what HitCounters writes in its
// transaction.
func LimitEvents(hits []CounterHit, recs []AttemptRecord) []Event {
	var out []Event
	for _, h := range hits {
		if h.Event.Action == "" {
			continue
		}
		for _, r := range recs {
			if r.Key == h.Key && r.Count == h.EventAt {
				out = append(out, h.Event)
			}
		}
	}
	return out
}

// LoginSuccess is what a successful login changes: the pair counters it
// resets and the known-IP records it stores or renews.
type LoginSuccess struct {
	Forget     []AttemptKey
	Known      []AttemptKey
	At         time.Time
	KnownUntil time.Time
}

// The kinds of record; the kind is hashed with the parts, so records of
// different kinds about the same account and IP have unrelated keys.
const (
	kindPair     byte = 'p' // failures of one account from one IP
	kindAccount  byte = 'a' // failures of one account from anywhere
	kindIP       byte = 'i' // failed logins from one IP, any account
	kindRegister byte = 'r' // registrations from one IP
	kindKnown    byte = 'k' // an account's last successful login from one IP
	kindLimit    byte = 'l' // events of a Limit's scope (limit.go)
)

// AttemptKeys makes AttemptKeys. Its secret is derived from the server's
// data key (ThrottleKeys), so every replica configured alike computes the
// same keys and shares the counts.
type AttemptKeys struct {
	secret []byte
}

// NewAttemptKeys derives the throttle key from material: HMAC-SHA256 of a
// fixed label, so the throttle key is never the material itself and one
// cannot be learnt from the other. It is what ThrottleKeys gives for data
// keys whose root is material (token.DataKeys.MACKey), for tests and the
// load generator, which have no data keys.
func NewAttemptKeys(material []byte) AttemptKeys {
	m := hmac.New(sha256.New, material)
	m.Write([]byte(throttleKeyPurpose))
	return AttemptKeys{secret: m.Sum(nil)}
}

// key hashes the kind and each part, every part prefixed by its length so
// that no two different lists of parts hash the same input.
func (k AttemptKeys) key(kind byte, parts ...[]byte) AttemptKey {
	m := hmac.New(sha256.New, k.secret)
	m.Write([]byte{kind})
	for _, p := range parts {
		m.Write(binary.AppendUvarint(nil, uint64(len(p))))
		m.Write(p)
	}
	var out AttemptKey
	m.Sum(out[:0])
	return out
}

func (k AttemptKeys) pair(account string, ip netip.Addr) AttemptKey {
	return k.key(kindPair, []byte(account), ipBytes(ip))
}

func (k AttemptKeys) account(account string) AttemptKey {
	return k.key(kindAccount, []byte(account))
}

func (k AttemptKeys) ip(ip netip.Addr) AttemptKey { return k.key(kindIP, ipBytes(ip)) }

func (k AttemptKeys) register(ip netip.Addr) AttemptKey { return k.key(kindRegister, ipBytes(ip)) }

func (k AttemptKeys) known(account string, ip netip.Addr) AttemptKey {
	return k.key(kindKnown, []byte(account), ipBytes(ip))
}

// ClientNet is what one client is wherever authd counts by client IP
// (API.md, Throttling): every throttle and limit key, and the grace of a
// refresh, go through it, so no two rules can disagree on who a client is.
//
//   - An IPv4 address is itself (/32).
//   - An IPv6 address is its /64: one host holds a whole /64 (SLAAC), and
//     RFC 8981 temporary addresses change within it, so counting each /128
//     would give an attacker a fresh count per address and refuse the
//     owner on their next temporary address.
//   - An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 address, and
//     a zone is dropped: one client is one key whatever its spelling.
//
// The zero Addr (a call from outside HTTP) is the zero Prefix.
func ClientNet(ip netip.Addr) netip.Prefix {
	ip = ip.Unmap().WithZone("")
	bits := 32
	if ip.Is6() {
		bits = 64
	}
	p, _ := ip.Prefix(bits) // cannot fail: bits fits the family; zero gives zero
	return p
}

// ipBytes is ClientNet as key material: 4 bytes for IPv4, 16 (the /64 and
// zeros) for IPv6, none for the zero Addr. The lengths differ, so the two
// families never share a key.
func ipBytes(ip netip.Addr) []byte {
	return ClientNet(ip).Addr().AsSlice()
}

// accountName is the form under which a login identifier counts: the
// form the lookups match it in (an email canonical as stored, a username
// lower-cased), so a count and its lookup agree on the account. A user's
// username and email are two names of one account; the service counts a
// failure under both.
func accountName(login string) string {
	if strings.Contains(login, "@") {
		return canonicalEmail(login)
	}
	return strings.ToLower(login)
}
