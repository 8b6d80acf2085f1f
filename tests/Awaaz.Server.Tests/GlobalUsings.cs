global using Shouldly;
global using Xunit;
global using Microsoft.Extensions.Logging;
global using Awaaz.Server.Tests.Infrastructure;
