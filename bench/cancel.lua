-- wrk script for bench/wrk.sh: each request cancels the next run of the load, thread t
-- taking runs offset + t*stride, offset + t*stride + 1, ... (wrk ... -- offset stride).
local offset, stride, counter = 0, 100000, 0
local threads = 0

function setup(thread)
	thread:set("tid", threads)
	threads = threads + 1
end

function init(args)
	offset = tonumber(args[1] or "0")
	stride = tonumber(args[2] or "100000")
	counter = offset + tid * stride
end

function request()
	counter = counter + 1
	return wrk.format("POST", "/v1/threads/thread_load/runs/run_" .. (counter - 1) .. "/cancel",
		{["Openai-Beta"] = "assistants=v2", ["x-portkey-api-key"] = "pk-load", ["x-portkey-virtual-key"] = "vk-load"})
end
