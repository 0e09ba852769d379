// The coroutine model's instantiation of the driver contract (DriverTest)
// goes here once the model exists.
