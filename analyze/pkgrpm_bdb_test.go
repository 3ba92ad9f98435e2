package analyze

import (
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/knqyf263/go-rpmdb/pkg/bdb"
)

// bdbValue is where one value of a real Berkeley DB lives: the hash page
// and entry index that point to it, the off-page item's offset in the
// file, and its overflow chain's pages.
type bdbValue struct {
	order    binary.ByteOrder
	pageSize int
	page     int
	index    int
	item     int
	chain    []int
	next     int // the next value's off-page item
}

// bdbFirstValue finds, in a real database, the first value that spans at
// least two overflow pages and the value after it, reading the layout
// checkBDBPages documents.
func bdbFirstValue(t *testing.T, data []byte) bdbValue {
	t.Helper()
	var order binary.ByteOrder = binary.LittleEndian
	if order.Uint32(data[12:]) != bdbHashMagic {
		order = binary.BigEndian
	}
	size := int(order.Uint32(data[20:]))
	var found bdbValue
	for p := 0; (p+1)*size <= len(data); p++ {
		page := data[p*size:]
		if page[25] != bdbHashPage && page[25] != bdbHashUnsorted {
			continue
		}
		for i := 1; i < int(order.Uint16(page[20:])); i += 2 {
			off := int(order.Uint16(page[bdbPageHeader+2*i:]))
			if page[off] != bdbHOffPage {
				continue
			}
			if found.chain != nil { // the next value, once the first is found
				found.next = p*size + off
				return found
			}
			v := bdbValue{order: order, pageSize: size, page: p, index: i, item: p*size + off}
			for pg := order.Uint32(page[off+4:]); pg != 0; pg = order.Uint32(data[int(pg)*size+16:]) {
				v.chain = append(v.chain, int(pg))
			}
			if len(v.chain) >= 2 {
				found = v
			}
		}
	}
	t.Fatal("no value over two overflow pages with another after it")
	return bdbValue{}
}

// checkBDBPages mirrors one version of go-rpmdb's Berkeley DB reader: an
// upgrade fails here until pkg/bdb has been read again and the check
// follows it.
func TestCheckBDBPagesReaderVersion(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Version}} {{.Replace}}", "github.com/knqyf263/go-rpmdb").Output()
	if err != nil {
		t.Skipf("go list: %v; skipping", err)
	}
	if got := strings.TrimSpace(string(out)); got != "v0.1.1 <nil>" {
		t.Fatalf("go-rpmdb %s: checkBDBPages follows v0.1.1's pkg/bdb; re-read it", got)
	}
}

// go-rpmdb's real databases, all of them Berkeley DB, in both byte orders
// and both hash page types, pass.
func TestCheckBDBPagesReal(t *testing.T) {
	for _, rel := range []string{"centos5-plain/Packages", "centos6-devtools/Packages", "centos6-many/Packages",
		"centos6-plain/Packages", "centos7-devtools/Packages", "centos7-httpd24/Packages", "centos7-many/Packages",
		"centos7-plain/Packages", "centos7-python35/Packages", "centos8-modularitylabel/Packages",
		"libuuid/Packages", "ubi8-s390x/Packages"} {
		t.Run(rel, func(t *testing.T) {
			if err := checkBDBPages(rpmTestdata(t, rel)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// Each change makes go-rpmdb's reader panic in its goroutine (an index
// or a length past the page), loop for ever (a chain back on itself, a
// chain page that is no overflow page) or read past the file; each is
// refused with its error, as the one note of a database not read.
func TestCheckBDBPagesDamaged(t *testing.T) {
	for _, rel := range []string{"centos5-plain/Packages", "ubi8-s390x/Packages"} {
		good := rpmTestdata(t, rel)
		v := bdbFirstValue(t, good)
		put16 := func(at int, x uint16) func([]byte) []byte {
			return func(b []byte) []byte { v.order.PutUint16(b[at:], x); return b }
		}
		put32 := func(at int, x uint32) func([]byte) []byte {
			return func(b []byte) []byte { v.order.PutUint32(b[at:], x); return b }
		}
		hashPage, idx := v.page*v.pageSize, v.page*v.pageSize+bdbPageHeader+2*v.index
		first, lastOv := v.chain[0]*v.pageSize, v.chain[len(v.chain)-1]*v.pageSize
		pages := uint32(len(good) / v.pageSize)
		for name, tc := range map[string]struct {
			change func([]byte) []byte
			want   string
		}{
			"page size not a power of two": {put32(20, 4000), "metadata page: page size 4000"},
			"last page past the file":      {put32(32, pages), "last page " + strconv.Itoa(int(pages)) + " beyond the file"},
			"file cut short":               {func(b []byte) []byte { return b[:len(b)-1] }, "beyond the file's"},
			"entry count past the page":    {put16(hashPage+20, 0xfffe), "page " + strconv.Itoa(v.page) + ": 65534 entries"},
			"odd entry count":              {put16(hashPage+20, 3), "odd entry count 3"},
			"index past the page":          {put16(idx, 0xffff), "page " + strconv.Itoa(v.page) + ": index " + strconv.Itoa(v.index) + " beyond the page"},
			"off-page item at the page end": {func(b []byte) []byte {
				b[hashPage+v.pageSize-4] = bdbHOffPage
				return put16(idx, uint16(v.pageSize-4))(b)
			}, "off-page item past the page's end"},
			"first page past the file":  {put32(v.item+4, pages+5), "overflow page " + strconv.Itoa(int(pages+5)) + " beyond the file"},
			"first page wraps the seek": {put32(v.item+4, 1<<20+1), "beyond the file"},
			"next page past the file":   {put32(first+16, 0x7fffffff), "overflow page 2147483647 beyond the file"},
			"chain loops":               {put32(lastOv+16, uint32(v.chain[0])), "already read"},
			"chain page no overflow":    {func(b []byte) []byte { b[lastOv+25] = bdbHashPage; return b }, "in an overflow chain is of type 13"},
			"chain into the metadata":   {put32(v.item+4, uint32(v.page)), "in an overflow chain is of type"},
			"last length past the page": {put16(lastOv+22, 0xffff), "length 65535 beyond the page"},
			"value shared with another": {put32(v.next+4, uint32(v.chain[0])), "already read"},
		} {
			t.Run(rel+"/"+name, func(t *testing.T) {
				b := tc.change(slices.Clone(good))
				err := checkBDBPages(b)
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("error %v, want %q", err, tc.want)
				}
				recs, err := parseRpmDB("var/lib/rpm/Packages", b)
				if recs != nil || err == nil || !strings.HasPrefix(err.Error(), "reading rpm database: Berkeley DB ") && !strings.HasPrefix(err.Error(), "opening rpm database: ") {
					t.Errorf("records %d, error %v; want none and the check's error", len(recs), err)
				}
			})
		}
	}
}

// FuzzBDBGuard changes a Berkeley DB database where its structures are
// (page headers, index arrays, off-page items: the edits land at any
// offset of any page) and runs checkBDBPages; a database it passes goes
// to go-rpmdb's reader itself, in this process, so that a panic in the
// reader's goroutine kills the fuzz worker and fails the run, and a loop
// fails it by the deadline. A passed database must also read without an
// error and give no more bytes than the file holds.
//
// The first byte picks the database (bdbFuzzBases). Then an edit is 7
// bytes: page, offset in the page (uint16), then a kind (0xff: cut the
// file there; odd: a 32-bit write, its top byte kind>>1; else a 16-bit
// write) and a value (24 bits), in the database's order.
func FuzzBDBGuard(f *testing.F) {
	bases := bdbFuzzBases()
	for i, base := range bases {
		f.Add([]byte{byte(i)})
		for _, s := range bdbFuzzEdits(base) {
			f.Add(append([]byte{byte(i)}, s...))
		}
	}
	file := filepath.Join(f.TempDir(), "Packages")
	f.Fuzz(func(t *testing.T, edits []byte) {
		if len(edits) == 0 {
			return
		}
		b := slices.Clone(bases[int(edits[0])%len(bases)])
		order, size := bdbLayout(b)
		for edits = edits[1:]; len(edits) >= 7; edits = edits[7:] {
			at := int(edits[0])%(len(b)/size)*size + int(binary.LittleEndian.Uint16(edits[1:]))%size
			val := uint32(edits[4]) | uint32(edits[5])<<8 | uint32(edits[6])<<16
			switch k := edits[3]; {
			case k == 0xff:
				b = b[:at]
			case k&1 == 1 && at+4 <= len(b):
				order.PutUint32(b[at:], val|uint32(k>>1)<<24)
			case at+2 <= len(b):
				order.PutUint16(b[at:], uint16(val))
			}
			if len(b) < size {
				break
			}
		}
		if checkBDBPages(b) != nil {
			return
		}
		if err := os.WriteFile(file, b, 0o600); err != nil {
			t.Fatal(err)
		}
		db, err := bdb.Open(file)
		if err != nil {
			return // refused by the library's own metadata check
		}
		defer db.Close()
		done := make(chan error, 1)
		go func() {
			total := 0
			var first error
			for e := range db.Read() {
				total += len(e.Value)
				if e.Err != nil && first == nil {
					first = e.Err
				}
			}
			if first == nil && total > len(b) {
				first = fmt.Errorf("values of %d bytes from a file of %d", total, len(b))
			}
			done <- first
		}()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("passed the check, then the reader: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("passed the check, then the reader did not finish in 10s")
		}
	})
}

// bdbFuzzBases are the databases FuzzBDBGuard changes: built ones, big-
// endian on the smallest pages and little-endian on the largest with its
// value's item and length one byte short of where the reader's uint16
// sums wrap; and go-rpmdb's smallest real one (92 KiB, one package) when
// its test data is in the module cache.
func bdbFuzzBases() [][]byte {
	bases := [][]byte{
		bdbSynthetic(binary.BigEndian, 512, 400, 100),
		bdbSynthetic(binary.LittleEndian, 65536, 65523, 65509),
	}
	if b, err := rpmTestdataFile("libuuid/Packages"); err == nil {
		bases = append(bases, b)
	}
	return bases
}

// bdbLayout is a database's byte order and page size, from its metadata.
func bdbLayout(b []byte) (binary.ByteOrder, int) {
	var order binary.ByteOrder = binary.LittleEndian
	if order.Uint32(b[12:]) != bdbHashMagic {
		order = binary.BigEndian
	}
	return order, int(order.Uint32(b[20:]))
}

// bdbFuzzEdits seeds edits aimed at the first value's structures: its
// index, its item's page number, its chain's next links and last length.
func bdbFuzzEdits(base []byte) [][]byte {
	order, size := bdbLayout(base)
	edit := func(at int, kind byte, val uint32) []byte {
		return []byte{byte(at / size), byte(at % size), byte(at % size >> 8), kind, byte(val), byte(val >> 8), byte(val >> 16)}
	}
	for p := 0; (p+1)*size <= len(base); p++ {
		page := base[p*size:]
		if page[25] != bdbHashPage && page[25] != bdbHashUnsorted || order.Uint16(page[20:]) < 2 {
			continue
		}
		off := int(order.Uint16(page[bdbPageHeader+2:]))
		item := p*size + off
		first := int(order.Uint32(base[item+4:]))
		return [][]byte{
			edit(p*size+bdbPageHeader+2, 0, 0xffff),
			edit(p*size+bdbPageHeader+2, 0, uint32(off+1)),
			edit(item+4, 1, uint32(first)),
			edit(first*size+16, 1, uint32(first)),
			edit(first*size+22, 0, 0xfff0),
			edit(p*size+20, 0, 0xfffe),
			edit(len(base)-size, 0xff, 0),
		}
	}
	return nil
}

// bdbSynthetic builds a Berkeley DB in the byte order and page size: the
// metadata, a hash page of one key/data pair whose data is an off-page
// item at itemAt, and the value's chain of two overflow pages, the first
// full, the last holding length bytes.
func bdbSynthetic(order binary.ByteOrder, size, itemAt, length int) []byte {
	b := make([]byte, 4*size)
	order.PutUint32(b[12:], bdbHashMagic)
	order.PutUint32(b[16:], 9) // version
	order.PutUint32(b[20:], uint32(size))
	b[25] = bdbHashMetadata
	order.PutUint32(b[32:], 3) // last page
	hash := b[size : 2*size]
	hash[25] = bdbHashPage
	order.PutUint16(hash[20:], 2)
	order.PutUint16(hash[bdbPageHeader:], 40) // the key, which the reader skips
	hash[40] = 1
	order.PutUint16(hash[bdbPageHeader+2:], uint16(itemAt))
	hash[itemAt] = bdbHOffPage
	order.PutUint32(hash[itemAt+4:], 2)
	order.PutUint32(hash[itemAt+8:], uint32(size-bdbPageHeader+length))
	for p, next := range []uint32{3, 0} {
		ov := b[(2+p)*size : (3+p)*size]
		ov[25] = bdbOverflowPage
		order.PutUint32(ov[16:], next)
		order.PutUint16(ov[22:], uint16(size-bdbPageHeader))
	}
	order.PutUint16(b[3*size+22:], uint16(length))
	return b
}

// On 64 KiB pages the reader's uint16 sums wrap at the page's end: an
// item or a length ending there is refused; one byte short is read,
// by the reader itself, in full.
func TestCheckBDBPages64K(t *testing.T) {
	for _, tc := range []struct {
		itemAt, length int
		want           string
	}{
		{65000, 100, ""},
		{65523, 100, ""},
		{65524, 100, "page 1: index 1: off-page item past the page's end"},
		{65000, 65509, ""},
		{65000, 65510, "overflow page 3: length 65510 beyond the page"},
	} {
		b := bdbSynthetic(binary.LittleEndian, 65536, tc.itemAt, tc.length)
		err := checkBDBPages(b)
		if tc.want != "" {
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("item at %d, length %d: error %v, want %q", tc.itemAt, tc.length, err, tc.want)
			}
			continue
		}
		if err != nil {
			t.Errorf("item at %d, length %d: %v", tc.itemAt, tc.length, err)
			continue
		}
		file := filepath.Join(t.TempDir(), "Packages")
		if err := os.WriteFile(file, b, 0o600); err != nil {
			t.Fatal(err)
		}
		db, err := bdb.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		var got []int
		for e := range db.Read() {
			if e.Err != nil {
				t.Errorf("item at %d, length %d: reader: %v", tc.itemAt, tc.length, e.Err)
			}
			got = append(got, len(e.Value))
		}
		db.Close()
		if !slices.Equal(got, []int{65536 - bdbPageHeader + tc.length}) {
			t.Errorf("item at %d, length %d: values of %v bytes", tc.itemAt, tc.length, got)
		}
	}
}
