package testtool

import "testing"

func TestRecord_Read(t *testing.T) {
	dir := t.TempDir() // not Dir(): that is the run's, read by zz_skipped
	if err := record(dir, "TestA/sub", "node\twith a tab", "apt-get install\nnodejs"); err != nil {
		t.Fatal(err)
	}
	if err := record(dir, "TestB", "redis-server", "apt-get install redis-server"); err != nil {
		t.Fatal(err)
	}
	got, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []Record{
		{"testtool", "TestA/sub", "node with a tab", "apt-get install nodejs"},
		{"testtool", "TestB", "redis-server", "apt-get install redis-server"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("record %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestRead_NoDirectory(t *testing.T) {
	got, err := Read(t.TempDir() + "/absent")
	if err != nil || len(got) != 0 {
		t.Errorf("got %v, %v; want nothing and no error", got, err)
	}
}
