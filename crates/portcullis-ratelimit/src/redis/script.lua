-- Portcullis: one request's rate-limit checks, in order, atomically.
--
-- KEYS[i] is the i-th check's key. ARGV[1], ARGV[2] are now as two limbs:
-- whole seconds and nanoseconds within the second (see "Exact time" in
-- mod.rs: Lua numbers are doubles, exact only below 2^53, and a nanosecond
-- timestamp is about 2^60.6). Then, per check, in the order of KEYS:
--
--   't', interval_s, interval_ns, tolerance_s, tolerance_ns    a throttle (GCRA)
--   'q', allowance (-1: unlimited), ttl_ms                      a quota counter
--
-- A throttle's key holds its TAT as the decimal string of the u64 number of
-- nanoseconds since the Unix epoch; a quota's key holds a Redis integer.
--
-- Returns { refused, values... }: refused is the 1-based index of the check
-- that refused (0: none refused); then for each check consulted, in order,
-- a throttle's TAT (two limbs: after its step when admitted, as stored when
-- refused) or a quota's count (after counting when admitted, as stored when
-- refused). The first refusal stops: later checks are neither read nor counted.

local B = 1000000000
-- u64::MAX in limbs: a TAT saturates there, as Throttle::step's saturating_add.
local MAX_S, MAX_NS = 18446744073, 709551615

-- A stored TAT: split its decimal string 9 digits from the right, so that
-- neither part goes near 2^53.
local function parse(text)
  local n = #text
  if n <= 9 then
    return 0, tonumber(text)
  end
  return tonumber(string.sub(text, 1, n - 9)), tonumber(string.sub(text, n - 8))
end

-- The decimal string of a TAT. Never tostring, which writes "%.14g" and
-- would round; %.0f writes an integral double exactly, whatever the width
-- of the platform's long (%d casts to it).
local function format(s, ns)
  if s == 0 then
    return string.format('%d', ns)
  end
  return string.format('%.0f%09d', s, ns)
end

local now_s, now_ns = tonumber(ARGV[1]), tonumber(ARGV[2])
local out = { 0 }
local a = 3
for i = 1, #KEYS do
  local key = KEYS[i]
  if ARGV[a] == 't' then
    local interval_s, interval_ns = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
    local tolerance_s, tolerance_ns = tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4])
    a = a + 5
    -- A key never seen (or expired: its bucket was full) has TAT 0.
    local tat_s, tat_ns = 0, 0
    local stored = redis.call('GET', key)
    if stored then
      tat_s, tat_ns = parse(stored)
    end
    -- new_tat = max(tat, now) + interval
    local s, ns = tat_s, tat_ns
    if s < now_s or (s == now_s and ns < now_ns) then
      s, ns = now_s, now_ns
    end
    s, ns = s + interval_s, ns + interval_ns
    if ns >= B then
      s, ns = s + 1, ns - B
    end
    if s > MAX_S or (s == MAX_S and ns > MAX_NS) then
      s, ns = MAX_S, MAX_NS
    end
    -- ahead = new_tat - now (never negative: new_tat > now)
    local ahead_s, ahead_ns = s - now_s, ns - now_ns
    if ahead_ns < 0 then
      ahead_s, ahead_ns = ahead_s - 1, ahead_ns + B
    end
    if ahead_s > tolerance_s or (ahead_s == tolerance_s and ahead_ns > tolerance_ns) then
      out[1] = i
      out[#out + 1] = tat_s
      out[#out + 1] = tat_ns
      return out
    end
    -- The key lives until its bucket is full again (TAT <= now), rounded up
    -- to the millisecond; a missing key then reads as TAT 0, which steps
    -- exactly as any TAT <= now does.
    local ttl_ms = ahead_s * 1000 + math.floor((ahead_ns + 999999) / 1000000)
    redis.call('SET', key, format(s, ns), 'PX', string.format('%.0f', ttl_ms))
    out[#out + 1] = s
    out[#out + 1] = ns
  else
    local allowance, ttl_ms = tonumber(ARGV[a + 1]), ARGV[a + 2]
    a = a + 3
    local count = tonumber(redis.call('GET', key) or '0')
    if allowance >= 0 and count >= allowance then
      out[1] = i
      out[#out + 1] = count
      return out
    end
    count = redis.call('INCR', key)
    if count == 1 then
      -- Kept past the period's end for usage reads (GetUsage).
      redis.call('PEXPIRE', key, ttl_ms)
    end
    out[#out + 1] = count
  end
end
return out
