package common

import (
	"context"
	"testing"
)

// A write in flight when the session ends keeps going (its outcome must
// reach the journal and the audit log); a read stops.
func TestWriteContextOutlivesTheSession(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cm := &Common{Ctx: ctx}
	read, write := cm.Context(), cm.WriteContext()
	cancel()
	if read.Err() == nil {
		t.Error("a read's context survived the session")
	}
	if write.Err() != nil {
		t.Errorf("a write's context ended with the session: %v", write.Err())
	}
}
