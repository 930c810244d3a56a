package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// flexBool decodes a boolean as IntaSend's answers spell it: true/false, or
// the strings "true"/"false", "YES"/"NO", "1"/"0" (the OAS types refundable
// as a boolean; the Node SDK's and third-party samples carry strings), and
// null as false.
type flexBool bool

func (b *flexBool) UnmarshalJSON(data []byte) error {
	v := strings.ToLower(strings.Trim(string(bytes.TrimSpace(data)), `"`))
	switch v {
	case "true", "yes", "1":
		*b = true
	case "false", "no", "0", "null", "":
		*b = false
	default:
		return fmt.Errorf("expected a boolean, got %s", data)
	}
	return nil
}

// flexInt decodes an integer sent as a number or a numeric string (the OAS
// types transactions_count as an integer; samples carry "1"), and null as 0.
type flexInt int

func (n *flexInt) UnmarshalJSON(data []byte) error {
	if i, ok := plainInt(data); ok { // the usual 0 or 3: no second decode
		*n = flexInt(i)
		return nil
	}
	var s FlexString
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	if s == "" {
		*n = 0
		return nil
	}
	i, err := strconv.Atoi(strings.TrimSpace(string(s)))
	if err != nil {
		return fmt.Errorf("expected an integer, got %s", data)
	}
	*n = flexInt(i)
	return nil
}

// plainInt reads a JSON number that is a plain decimal integer.
func plainInt(data []byte) (int, bool) {
	if len(data) == 0 || len(data) > 18 {
		return 0, false
	}
	for _, c := range data {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	i, err := strconv.Atoi(string(data))
	return i, err == nil
}
